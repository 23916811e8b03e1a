package dev.celeriac.bench.report;

import java.time.Duration;

/** Progress lines on stdout, each with the time since the harness started. */
public final class Progress {

    private static final long STARTED = System.nanoTime();

    private Progress() {}

    public static void say(String format, Object... arguments) {
        long seconds = Duration.ofNanos(System.nanoTime() - STARTED).toSeconds();
        System.out.printf("[bench %4ds] %s%n", seconds, String.format(format, arguments));
        System.out.flush();
    }
}
