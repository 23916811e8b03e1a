package dev.celeriac.testsupport.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock in UTC that stands still until the test moves it, from 2026-12-01 at noon. */
public final class MovingClock extends Clock {

    private Instant now = Instant.parse("2026-12-01T12:00:00Z");

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    /** Moves the clock on. */
    public void advance(Duration by) {
        now = now.plus(by);
    }
}
