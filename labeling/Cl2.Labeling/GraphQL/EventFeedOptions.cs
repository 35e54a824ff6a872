using System.ComponentModel.DataAnnotations;

namespace Cl2.Labeling.GraphQL;

/// <summary>How each replica hears the events every replica commits (section <c>EventFeed</c>).</summary>
public sealed class EventFeedOptions
{
    public const string Section = "EventFeed";

    /// <summary>Pause before listening again after the connection was lost (PostgreSQL restarted, the backend was terminated).</summary>
    [Range(10, 60_000)]
    public int ReconnectDelayMilliseconds { get; set; } = 1000;

    /// <summary>A quiet listening connection is probed this often, so a silently dropped one is noticed and replaced, and
    /// the feed catches up then, which delivers events whose notification was lost.</summary>
    [Range(1, 3600)]
    public int HeartbeatSeconds { get; set; } = 30;

    /// <summary>
    /// How long a delivered event is remembered, so that catching up after a reconnect delivers it only once. A
    /// transaction that holds its event sequence numbers longer than this and commits while the replica is not
    /// listening is not caught up.
    /// </summary>
    [Range(10, 86_400)]
    public int RememberSeconds { get; set; } = 300;

    /// <summary>The most delivered events remembered at once (a bulk import can deliver thousands in a second).</summary>
    [Range(1000, 10_000_000)]
    public int MaxRemembered { get; set; } = 200_000;

    /// <summary>How long start-up waits for the first connection, so that a serving replica is already listening.</summary>
    [Range(1, 300)]
    public int StartTimeoutSeconds { get; set; } = 10;
}
