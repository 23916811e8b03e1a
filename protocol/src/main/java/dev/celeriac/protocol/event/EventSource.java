package dev.celeriac.protocol.event;

import java.time.Instant;
import java.util.Objects;

/**
 * Fields every Celery event carries about who sent it and when.
 *
 * @param hostname node name of the sender, {@code name@host}
 * @param timestamp when the event happened, in seconds since the epoch
 * @param utcoffset the sender's offset from UTC in hours, as Celery computes it
 * @param pid process id of the sender
 * @param clock the sender's Lamport clock value
 */
public record EventSource(String hostname, double timestamp, int utcoffset, long pid, long clock) {

    public EventSource {
        Objects.requireNonNull(hostname, "hostname");
    }

    /** Returns a source for an event that happens now in this process. */
    public static EventSource now(String hostname, long clock) {
        return at(Instant.now(), hostname, clock);
    }

    /** Returns a source for an event of this process that happened at the given time. */
    public static EventSource at(Instant now, String hostname, long clock) {
        return new EventSource(
                hostname,
                now.getEpochSecond() + now.getNano() / 1e9,
                0,
                ProcessHandle.current().pid(),
                clock);
    }

    /** The timestamp as an instant. */
    public Instant instant() {
        long seconds = (long) Math.floor(timestamp);
        return Instant.ofEpochSecond(seconds, Math.round((timestamp - seconds) * 1e9));
    }
}
