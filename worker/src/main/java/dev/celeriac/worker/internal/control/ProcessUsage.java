package dev.celeriac.worker.internal.control;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The resource use of this process, as {@code inspect stats} reports it under {@code rusage}: CPU seconds from the
 * JVM, and on Linux the peak resident set ({@code maxrss}, in kilobytes, as {@code getrusage} gives it).
 */
final class ProcessUsage {

    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessUsage() {}

    static Map<String, Object> now() {
        var usage = new LinkedHashMap<String, Object>();
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            usage.put("cpu_seconds", os.getProcessCpuTime() / 1e9);
        }
        usage.put(
                "heap_used_bytes",
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        usage.put("threads", ManagementFactory.getThreadMXBean().getThreadCount());
        peakResidentKilobytes().ifPresent(kb -> usage.put("maxrss", kb));
        return usage;
    }

    private static OptionalLong peakResidentKilobytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmHWM:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")));
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or no procfs: maxrss is left out.
        }
        return OptionalLong.empty();
    }
}
