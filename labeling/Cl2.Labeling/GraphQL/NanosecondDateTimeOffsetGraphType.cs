using System.Text.RegularExpressions;
using GraphQL.Types;
using GraphQLParser.AST;

namespace Cl2.Labeling.GraphQL;

/// <summary>
/// The schema's <c>DateTimeOffset</c> scalar, in place of GraphQL.NET's: the same ISO-8601 input and output, but a time
/// with more than seven fractional digits (nanoseconds, as <c>date +%N</c> and many logs print them) is accepted, cut to
/// .NET's 100 ns ticks (truncated, not rounded, so an instant never moves later), where GraphQL.NET refuses it with
/// "Expected type 'DateTimeOffset'".
/// </summary>
public sealed partial class NanosecondDateTimeOffsetGraphType : DateTimeOffsetGraphType
{
    /// <summary>.NET keeps 100 ns ticks: seven fractional digits of a second.</summary>
    public const int FractionalDigitsKept = 7;

    public NanosecondDateTimeOffsetGraphType() => Name = "DateTimeOffset";

    public override object? ParseLiteral(GraphQLValue value) => base.ParseLiteral(Truncated(value));

    public override bool CanParseLiteral(GraphQLValue value) => base.CanParseLiteral(Truncated(value));

    public override object? ParseValue(object? value) => base.ParseValue(Truncated(value));

    public override bool CanParseValue(object? value) => base.CanParseValue(Truncated(value));

    /// <summary>The ISO-8601 text with its fraction of a second cut to <see cref="FractionalDigitsKept"/> digits.</summary>
    public static string Truncate(string text) => LongFraction().Replace(text, match => match.Groups[1].Value);

    private static GraphQLValue Truncated(GraphQLValue value) =>
        value is GraphQLStringValue text && Truncate((string)text.Value) is var cut && cut.Length != text.Value.Length
            ? new GraphQLStringValue(cut)
            : value;

    private static object? Truncated(object? value) => value is string text ? Truncate(text) : value;

    // Seconds, a dot, seven digits kept and the rest dropped: "21.291020668Z" → "21.2910206Z".
    [GeneratedRegex(@"(?<=:\d{2})(\.\d{7})\d+")]
    private static partial Regex LongFraction();
}
