package dev.celeriac.worker;

import static org.awaitility.Awaitility.await;

import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskHandle;
import dev.celeriac.producer.TaskRequest;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Tasks of a rate-limited type submitted ahead of unlimited ones on the same queue, run to the end: when each started.
 *
 * @param limited the start times of the limited tasks, earliest first (seconds, by the workers' clocks)
 * @param free the start times of the unlimited ones
 */
record LimitedRun(List<Double> limited, List<Double> free) {

    /** Submits {@code limited} tasks of {@code task}, then {@code free} {@code demo.add}, and waits for all. */
    static LimitedRun of(TaskClient client, EventLog events, String task, int limited, int free) {
        // The limited tasks go first, so that the others queue behind all of them.
        List<TaskHandle> slow = client.submitAll(
                IntStream.range(0, limited).mapToObj(i -> TaskRequest.of(task)).toList());
        List<TaskHandle> fast = client.submitAll(IntStream.range(0, free)
                .mapToObj(i -> TaskRequest.of("demo.add", i, 1))
                .toList());
        await().atMost(Duration.ofSeconds(60)).until(() -> events.succeeded(slow) == limited);
        await().atMost(Duration.ofSeconds(10)).until(() -> events.succeeded(fast) == free);
        return new LimitedRun(events.startTimes(slow), events.startTimes(fast));
    }
}
