package dev.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.Workflow;
import dev.celeriac.producer.WorkflowHandle;
import dev.celeriac.producer.WorkflowResults;
import dev.celeriac.protocol.event.EventType;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.protocol.state.TaskState;
import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;

/** Workflows from the Java client, run by a Java worker on a real broker: chains, groups, callbacks. */
class WorkflowIntegrationTests {

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static ConfigurableApplicationContext worker;
    private static EventLog events;
    private static TaskClient client;

    @BeforeAll
    static void start() throws Exception {
        worker = WorkerApps.start(
                rabbit.endpoint(),
                "celeriac.worker.hostname=workflows@test",
                "celeriac.worker.queues.default.concurrency=4");
        events = new EventLog(rabbit.endpoint());
        client = worker.getBean(TaskClient.class);
    }

    @AfterAll
    static void stop() throws Exception {
        if (events != null) {
            events.close();
        }
        if (worker != null) {
            worker.close();
        }
    }

    private static String result(String id) {
        return events.<TaskEvent.Succeeded>awaitEvent(id, EventType.TASK_SUCCEEDED, WAIT)
                .result();
    }

    private static TaskEvent.Received received(String id) {
        return events.awaitEvent(id, EventType.TASK_RECEIVED, WAIT);
    }

    @Test
    void aChainPassesEachResultOnAndEndsInAGroupWhoseMembersAllGetTheLastResult() {
        WorkflowHandle handle = client.submit(Workflow.chain(
                Workflow.task("demo.add", 2, 2),
                Workflow.task("demo.add", 10),
                Workflow.group(Workflow.task("demo.add", 1), Workflow.task("demo.add", 2))));

        assertThat(handle.taskIds()).hasSize(4);
        assertThat(handle.started())
                .singleElement()
                .satisfies(t -> assertThat(t.id()).isEqualTo(handle.rootId()));
        assertThat(handle.resultIds())
                .containsExactly(handle.taskIds().get(2), handle.taskIds().get(3));
        assertThat(handle.resultIds().stream().map(WorkflowIntegrationTests::result))
                .containsExactly("15", "16");
        assertThat(result(handle.taskIds().get(1))).isEqualTo("14");
        // Every step names the workflow's first task as its root and the step before as its parent.
        for (int i = 1; i < 4; i++) {
            TaskEvent.Received step = received(handle.taskIds().get(i));
            assertThat(step.rootId()).isEqualTo(handle.rootId());
            assertThat(step.parentId()).isEqualTo(handle.taskIds().get(i == 3 ? 1 : i - 1));
        }
    }

    @Test
    void aGroupRunsItsMembersSideBySideAndAnEmptyGroupSendsNothing() {
        WorkflowHandle handle = client.submit(Workflow.group(
                Workflow.task("demo.add", 1, 1),
                Workflow.chain(Workflow.task("demo.add", 2, 2), Workflow.task("demo.add", 6)),
                Workflow.task("demo.add", 3, 3)));

        assertThat(handle.started()).hasSize(3);
        assertThat(handle.resultIds().stream().map(WorkflowIntegrationTests::result))
                .containsExactly("2", "10", "6");
        assertThat(client.submit(Workflow.group()).started()).isEmpty();
    }

    @Test
    void aFailedStepStopsItsChainAndRunsItsErrorCallbackWithItsId() {
        WorkflowHandle handle = client.submit(Workflow.chain(
                Workflow.task("demo.fail", "stop here").linkError(Workflow.task("demo.log")),
                Workflow.task("demo.add", 1)));
        String failed = handle.rootId();
        String errback = handle.taskIds().get(1);
        String never = handle.taskIds().get(2);

        assertThat(result(errback)).isEqualTo("\"" + failed + "\"");
        events.await(failed, EventType.TASK_FAILED, WAIT);
        // Its next step would have been published before the failure's event; it was not.
        assertThat(events.of(never)).isEmpty();
        assertThat(received(errback).parentId()).isEqualTo(failed);
    }

    @Test
    void aCallbackGetsTheResultAndAnImmutableStepKeepsItsOwnArguments() {
        WorkflowHandle handle = client.submit(Workflow.chain(
                Workflow.task("demo.add", 20, 22).link(Workflow.task("demo.add", 100)),
                Workflow.task("demo.log", "done").withoutResult()));

        assertThat(result(handle.taskIds().get(1))).isEqualTo("142");
        assertThat(result(handle.taskIds().get(2))).isEqualTo("\"done\"");
    }

    @Test
    void aGroupFollowedByAStepIsRefusedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> client.submit(
                        Workflow.chain(Workflow.group(Workflow.task("demo.add", 1, 1)), Workflow.task("demo.add", 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("chord");
        assertThatThrownBy(() ->
                        client.submit(Workflow.chain(Workflow.task("demo.add", 1, 1), Workflow.task("bad name!"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad name!");
    }

    @Test
    void aMapRunsOneTaskPerInputAndChunksRunManyInputsPerMessage() {
        WorkflowHandle mapped = client.submit(Workflow.map("demo.fib", List.of(10, 20, 30)));
        var items = IntStream.range(0, 10).mapToObj(i -> List.of(i, i)).toList();
        WorkflowHandle chunked = client.submit(Workflow.chunks("demo.add", items, 4));

        assertThat(mapped.resultIds().stream().map(WorkflowIntegrationTests::result))
                .containsExactly("55", "6765", "832040");
        assertThat(chunked.started()).hasSize(3);
        assertThat(chunked.resultIds().stream().map(WorkflowIntegrationTests::result))
                .containsExactly("[0,2,4,6]", "[8,10,12,14]", "[16,18]");
    }

    @Test
    void anInputThatFailsFailsItsChunkAndNotTheOthers() {
        WorkflowHandle chunked =
                client.submit(Workflow.chunks("demo.fib", List.of(List.of(10), List.of(93), List.of(12)), 2));

        TaskEvent.Failed failed = events.awaitEvent(chunked.resultIds().get(0), EventType.TASK_FAILED, WAIT);
        assertThat(failed.exception()).contains("fib(n) needs 0 <= n <= 92, was 93");
        assertThat(result(chunked.resultIds().get(1))).isEqualTo("[144]");
    }

    @Test
    void resultsArriveAsTheyCompleteInTheWorkflowsOrderAndAllTogetherEachFailureInItsPlace() throws Exception {
        WorkflowResults run = client.submitForResults(Workflow.group(
                Workflow.task("demo.sleep", 3_000),
                Workflow.task("demo.fail", "bad input"),
                Workflow.task("demo.add", 1, 2)));

        List<WorkflowResults.Result> completed = run.asCompleted(WAIT);
        List<WorkflowResults.Result> ordered = run.inOrder(WAIT);

        // The sleeper is last to complete, on purpose; in order it is first.
        assertThat(completed)
                .extracting(WorkflowResults.Result::index)
                .hasSize(3)
                .endsWith(0);
        assertThat(ordered)
                .extracting(WorkflowResults.Result::state)
                .containsExactly(TaskState.SUCCESS, TaskState.FAILURE, TaskState.SUCCESS);
        assertThat(ordered.get(0).value().asLong()).isEqualTo(3_000);
        assertThat(ordered.get(1).error()).isEqualTo("NonRetryableException: bad input");
        assertThat(ordered.get(2).value().asLong()).isEqualTo(3);
        assertThat(run.all().get(30, TimeUnit.SECONDS)).isEqualTo(ordered);
        assertThat(run.handle().resultIds())
                .containsExactlyElementsOf(
                        ordered.stream().map(WorkflowResults.Result::taskId).toList());
    }
}
