package dev.celeriac.worker;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/** Tasks whose behaviour the worker tests depend on. */
@Component
public class TestTasks {

    /** Counts runs, to see duplicates. */
    public static final AtomicInteger RUNS = new AtomicInteger();

    @CeleriacTask(name = "test.count")
    public int count() {
        return RUNS.incrementAndGet();
    }

    /** Sleeps, but stops when interrupted: the soft time limit ends it. */
    @CeleriacTask(name = "test.polite", softTimeLimit = "300ms", maxRetries = 0)
    public void polite(long ms) throws InterruptedException {
        Thread.sleep(ms);
    }

    /** Ignores interrupts: only the hard time limit ends it. */
    @CeleriacTask(name = "test.stubborn", timeLimit = "1s", maxRetries = 0)
    public void stubborn(long ms) {
        long end = System.nanoTime() + ms * 1_000_000;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    @CeleriacTask(name = "test.retryLater", maxRetries = 1)
    public int retryLater(TaskContext context) {
        if (context.retries() == 0) {
            throw new RetryLater(Duration.ofSeconds(2), "not ready yet");
        }
        return context.attempt();
    }

    @CeleriacTask(name = "test.progress")
    public int progress(int steps, TaskContext context) {
        for (int done = 1; done <= steps; done++) {
            context.reportProgress(Map.of("done", done, "total", steps));
        }
        return steps;
    }

    public record Order(String item, int quantity) {}

    @CeleriacTask(name = "test.order")
    public String order(Order order) {
        return order.quantity() + " x " + order.item();
    }
}
