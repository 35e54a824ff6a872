using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Cl2.Labeling.Database;

/// <summary>
/// A PostgreSQL advisory lock per schema, held while a replica creates or updates its tables. PostgreSQL's DDL is not
/// safe to run twice at once ("create ... if not exists" included: two sessions may both find the object missing and
/// one fails with "already exists"), so replicas starting together on an empty database take turns; the second finds
/// the tables made and changes nothing.
/// </summary>
public static class SchemaChangeLock
{
    /// <summary>A stable 64-bit key for the schema (the same in every replica and version).</summary>
    public static long Key(string schema) =>
        BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes($"cl2 schema changes: {schema}")));

    /// <summary>Waits for the schema's lock on a connection of its own; disposing releases it.</summary>
    public static async Task<IAsyncDisposable> AcquireAsync(NpgsqlDataSource dataSource, string schema, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand("select pg_advisory_lock($1)", connection) { Parameters = { new() { Value = Key(schema) } } };
            await command.ExecuteNonQueryAsync(cancellationToken);
            return new Held(connection, Key(schema));
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private sealed class Held(NpgsqlConnection connection, long key) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var command = new NpgsqlCommand("select pg_advisory_unlock($1)", connection) { Parameters = { new() { Value = key } } };
                await command.ExecuteNonQueryAsync();
            }
            finally
            {
                // Closing returns the connection to the pool, whose reset (DISCARD ALL) also releases the lock if the unlock failed.
                await connection.DisposeAsync();
            }
        }
    }
}
