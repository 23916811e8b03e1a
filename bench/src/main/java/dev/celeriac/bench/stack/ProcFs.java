package dev.celeriac.bench.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Figures of a process from Linux's /proc. */
public final class ProcFs {

    private ProcFs() {}

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
