using System.Threading.RateLimiting;

namespace Shirabe;

/// <summary>
/// At most a number of events per key (a client IP, a link) in each minute, in this process. The one fixed-window rule
/// behind the failed-lookup, sign-in and answers.pdf limits; each is a subclass so that it is its own service.
/// </summary>
public abstract class PerMinuteLimiter<TKey>(int perMinute) : IDisposable where TKey : notnull
{
    private readonly PartitionedRateLimiter<TKey> _limiter = PartitionedRateLimiter.Create<TKey, TKey>(key =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0, AutoReplenishment = true,
        }));

    /// <summary>Counts one event; false when the key has used up this minute's permits.</summary>
    public bool TryAcquire(TKey key)
    {
        using var lease = _limiter.AttemptAcquire(key);
        return lease.IsAcquired;
    }

    /// <summary>True when the key has no permit left this minute (without counting an event).</summary>
    public bool IsExhausted(TKey key) => _limiter.GetStatistics(key) is { CurrentAvailablePermits: <= 0 };

    public void Dispose()
    {
        _limiter.Dispose();
        GC.SuppressFinalize(this);
    }
}
