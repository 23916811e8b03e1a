package dev.celeriac.bench.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Figures of a process from Linux's /proc. */
public final class ProcFs {

    /** Clock ticks per second of /proc's CPU times ({@code USER_HZ}: 100 on Linux). */
    static final double TICKS_PER_SECOND = 100;

    private ProcFs() {}

    /** CPU seconds a process has used so far, user and system, all of its threads. */
    public static double cpuSeconds(long pid) {
        return ticks(Path.of("/proc", String.valueOf(pid), "stat")) / TICKS_PER_SECOND;
    }

    /**
     * CPU seconds the threads of a process whose name starts with {@code prefix} have used so far (a thread that has
     * ended is not counted). The JIT compilers' threads are named {@code C1 CompilerThre…} and {@code C2 …}.
     */
    public static double threadCpuSeconds(long pid, String prefix) {
        long ticks = 0;
        try (Stream<Path> threads = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path thread : threads.toList()) {
                try {
                    if (Files.readString(thread.resolve("comm")).startsWith(prefix)) {
                        ticks += ticks(thread.resolve("stat"));
                    }
                } catch (IOException | UncheckedIOException e) {
                    // The thread ended meanwhile.
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ticks / TICKS_PER_SECOND;
    }

    /** utime + stime of a {@code stat} file: its 14th and 15th fields, counted after the name in parentheses. */
    private static long ticks(Path stat) {
        try {
            String text = Files.readString(stat);
            String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A {@code kB} figure of one of a process's /proc files, e.g. {@code VmRSS:} of {@code status}. */
    public static long kib(long pid, String file, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), file))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no " + field + " in /proc/" + pid + "/" + file);
    }
}
