using System.ComponentModel.DataAnnotations;

namespace Cl2.Labeling.Database;

/// <summary>The one PostgreSQL database that holds cl2's events and documents. Only labeling has these credentials.</summary>
public sealed class PostgresOptions
{
    public const string Section = "Postgres";

    [Required(ErrorMessage = "Postgres:ConnectionString is required (./cl2 up sets it; otherwise set Postgres__ConnectionString).")]
    public string ConnectionString { get; set; } = "";

    /// <summary>Schema for cl2's tables, so test hosts and several deployments can share one database.</summary>
    [Required, RegularExpression("^[a-z_][a-z0-9_]*$", ErrorMessage = "Postgres:Schema must be a lower-case SQL identifier.")]
    public string Schema { get; set; } = "cl2";

    [Range(1, 60)]
    public int ReadinessTimeoutSeconds { get; set; } = 3;
}
