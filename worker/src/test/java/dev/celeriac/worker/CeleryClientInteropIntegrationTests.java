package dev.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.protocol.event.EventType;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import dev.celeriac.testsupport.celery.CeleryPython;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Python → Java: a stock Celery 5 client, configured only by the documented {@code celeriacconfig} module, sends tasks
 * to a Java worker and reads what {@code AsyncResult.get()} returns or raises through the {@code rpc://} backend.
 */
class CeleryClientInteropIntegrationTests {

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    @TempDir
    static Path work;

    private static ConfigurableApplicationContext worker;
    private static EventLog events;
    private static JsonNode results;

    @BeforeAll
    static void runTheCeleryClient() throws Exception {
        worker = WorkerApps.start(
                rabbit.endpoint(),
                "celeriac.worker.hostname=java@interop",
                "celeriac.worker.queues.default.concurrency=4");
        events = new EventLog(rabbit.endpoint());
        CeleryPython python = CeleryPython.in(work, rabbit.endpoint(), Path.of("src/test/celery/celery_client.py"));
        String output = python.run(Duration.ofMinutes(2), "celery_client.py", "results");
        results = JsonMapper.builder().build().readTree(output);
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

    @Test
    void getReturnsTheValueAJavaTaskComputedFromPositionalAndKeywordArguments() {
        assertThat(results.at("/args/value").asLong()).isEqualTo(5);
        assertThat(results.at("/args/state").asString()).isEqualTo("SUCCESS");
        assertThat(results.at("/kwargs/value").asLong()).isEqualTo(42);
        assertThat(results.at("/echo/value/text").asString()).isEqualTo("héllo ✓");
        assertThat(results.at("/echo/value/nested/list").toString()).isEqualTo("[1,2.5,null,true]");
    }

    @Test
    void aJavaFailureRaisesInPythonWithTheJavaTypeNameMessageAndStackTrace() {
        JsonNode raised = results.at("/failure/raised");
        assertThat(raised.get("type").asString()).isEqualTo("NonRetryableException");
        assertThat(raised.get("message").asString()).isEqualTo("boom");
        assertThat(results.at("/failure/state").asString()).isEqualTo("FAILURE");
        assertThat(results.at("/failure/traceback").asString())
                .startsWith("dev.celeriac.worker.NonRetryableException: boom")
                .contains("at dev.celeriac.worker.demo.DemoTasks.fail(");
    }

    @Test
    void argumentsThatDoNotFitRaiseTypeErrorWordedAsPythonWordsIt() {
        JsonNode raised = results.at("/bad_arguments/raised");
        assertThat(raised.get("type").asString()).isEqualTo("TypeError");
        assertThat(raised.get("module").asString()).isEqualTo("builtins");
        assertThat(raised.get("message").asString())
                .isEqualTo("demo.add() takes 2 positional arguments but 3 were given");
    }

    @Test
    void aTaskNoJavaWorkerHasRaisesCelerysNotRegistered() {
        JsonNode raised = results.at("/not_registered/raised");
        assertThat(raised.get("type").asString()).isEqualTo("NotRegistered");
        assertThat(raised.get("module").asString()).isEqualTo("celery.exceptions");
        assertThat(raised.get("args").get(0).asString()).isEqualTo("demo.nope");
    }

    @Test
    void aCountdownDelaysTheTaskAndAnExpiryRevokesIt() {
        assertThat(results.at("/countdown/value").asLong()).isEqualTo(2);
        assertThat(results.at("/countdown/elapsed").asDouble()).isGreaterThanOrEqualTo(2.0);
        JsonNode expired = results.at("/expired/raised");
        assertThat(expired.get("type").asString()).isEqualTo("TaskRevokedError");
        assertThat(expired.get("message").asString()).isEqualTo("expired");
        assertThat(results.at("/expired/state").asString()).isEqualTo("REVOKED");
    }

    @Test
    void retriesOnTheJavaSideShowAsRetryStatesUntilTheResult() {
        assertThat(results.at("/retried/value").asInt()).isEqualTo(3); // the third attempt succeeds
        assertThat(results.at("/retried/states").toString()).isEqualTo("[\"RETRY\",\"RETRY\",\"SUCCESS\"]");
    }

    @Test
    void theRetriesACeleryClientSetsCountAgainstTheRetryLimit() {
        // demo.flaky allows 5 retries: sent as retries=4, it gets one more attempt (the sixth), then fails for good.
        JsonNode raised = results.at("/retries_header/raised");
        assertThat(raised.get("type").asString()).isEqualTo("IllegalStateException");
        assertThat(raised.get("message").asString()).startsWith("attempt 6 of ");
    }

    @Test
    void aTaskSentWithIgnoreResultStillRunsAndIsRecorded() {
        String id = results.at("/ignore_result/id").asString();
        TaskEvent.Succeeded succeeded = events.awaitEvent(id, EventType.TASK_SUCCEEDED, Duration.ofSeconds(20));
        assertThat(succeeded.result()).isEqualTo("14");
    }

    @Test
    void aCeleryChainRunsStepByStepOnJavaWorkersAndGetReturnsItsLastResult() {
        assertThat(results.at("/chain/value").asLong()).isEqualTo(114);
        assertThat(results.at("/chain/parent/value").asLong()).isEqualTo(14);
    }

    @Test
    void aCeleryGroupRunsOnJavaWorkersAndGetReturnsItsResultsInOrder() {
        assertThat(results.at("/group/value").toString()).isEqualTo("[2,4,6]");
    }

    @Test
    void aCeleryChainEndingInAGroupGivesEveryMemberTheResultBeforeIt() {
        assertThat(results.at("/chain_to_group/value").toString()).isEqualTo("[12,22]");
    }

    @Test
    void celerysChunksAndMapRunOnJavaWorkersThroughItsBuiltInMapTasks() {
        assertThat(results.at("/chunks/value").toString()).isEqualTo("[[2,4],[6]]");
        assertThat(results.at("/map/value").toString()).isEqualTo("[55,6765]");
    }

    @Test
    void aFailingStepStopsACeleryChain() {
        assertThat(results.at("/chain_failure/raised/message").asString()).isEqualTo("stop");
        // The next step would have been published before the failure was acked, and so before its event.
        String next = results.at("/chain_failure/next").asString();
        assertThat(events.of(next)).isEmpty();
    }

    @Test
    void aCeleryLinkRunsWithTheResultAndALinkErrorWithTheFailedTasksId() {
        assertThat(results.at("/link/value").asLong()).isEqualTo(4);
        TaskEvent.Succeeded callback = events.awaitEvent(
                results.at("/link/callback").asString(), EventType.TASK_SUCCEEDED, Duration.ofSeconds(30));
        assertThat(callback.result()).isEqualTo("14");
        TaskEvent.Received received = events.awaitEvent(
                results.at("/link/callback").asString(), EventType.TASK_RECEIVED, Duration.ofSeconds(30));
        assertThat(received.parentId()).isEqualTo(results.at("/link/id").asString());

        String failed = results.at("/link_error/id").asString();
        assertThat(results.at("/link_error/raised/message").asString()).isEqualTo("boom");
        TaskEvent.Succeeded errback = events.awaitEvent(
                results.at("/link_error/errback").asString(), EventType.TASK_SUCCEEDED, Duration.ofSeconds(30));
        assertThat(errback.result()).isEqualTo("\"" + failed + "\"");
        TaskEvent.Received errbackReceived = events.awaitEvent(
                results.at("/link_error/errback").asString(), EventType.TASK_RECEIVED, Duration.ofSeconds(30));
        assertThat(errbackReceived.parentId()).isEqualTo(failed);
        assertThat(errbackReceived.rootId()).isEqualTo(failed);
    }
}
