package dev.celeriac.worker.internal.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.protocol.control.ControlCommand;
import dev.celeriac.protocol.control.RateLimit;
import dev.celeriac.protocol.control.Revoke;
import dev.celeriac.protocol.message.TimeLimit;
import dev.celeriac.protocol.topology.QueueSpec;
import dev.celeriac.worker.pool.Autoscaler;
import dev.celeriac.worker.ratelimit.RateLimiter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The replies to Celery's commands, from a worker's state, without a broker. */
class ControlCommandsTests {

    private static final Instant NOW = Instant.parse("2030-01-02T03:04:05Z");
    private final JsonMapper mapper = JsonMapper.builder().build();
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final Revocations revocations = new Revocations(Duration.ofHours(1), clock);
    private final List<Revoke> persisted = new ArrayList<>();
    private final Node node = new Node();
    private final AtomicLong nanos = new AtomicLong();
    private final RateLimiter limiter = new RateLimiter(Map.of(), nanos::get, (task, limit) -> {});
    private final ControlCommands commands = new ControlCommands(node, revocations, limiter, persisted::add, clock);

    /** A worker with one running task on a queue of 4 platform slots. */
    private final class Node implements ControlCommands.Node {
        boolean events = true;
        int heartbeats;
        final List<ActiveTask> active = new ArrayList<>(List.of(new ActiveTask(
                "running-1",
                "demo.sleep",
                mapper.readTree("[1000]"),
                mapper.readTree("{}"),
                "default",
                "celeriac.tasks",
                NOW.minusSeconds(3),
                null,
                false,
                null)));
        final List<ActiveTask> reserved = new ArrayList<>();
        final List<ActiveTask> scheduled = new ArrayList<>();
        final Map<String, Integer> pools = new TreeMap<>(Map.of("default", 4));
        final Map<String, TimeLimit> timeLimits = new TreeMap<>();
        final List<String> declared = List.of("default", "email");
        Autoscaler autoscaler;
        int shutdowns;

        public String hostname() {
            return "w@h";
        }

        public String version() {
            return "1.2.3";
        }

        public Instant startedAt() {
            return NOW.minusSeconds(90);
        }

        public List<ActiveTask> active() {
            return active;
        }

        public Map<String, Long> totals() {
            return Map.of("demo.add", 7L);
        }

        public Set<String> registered() {
            return Set.of("demo.sleep", "demo.add");
        }

        public List<ControlCommands.PoolInfo> pools() {
            return List.of(new ControlCommands.PoolInfo(
                    new QueueSpec("default", Map.of("x-queue-type", "quorum")), "platform", 4, 1, 5));
        }

        public Map<String, Object> broker() {
            return Map.of("hostname", "rabbit", "port", 5672, "userid", "app", "virtual_host", "/");
        }

        public long clock() {
            return 42;
        }

        public void clockSeen(long value) {}

        public boolean taskEvents() {
            return events;
        }

        public boolean taskEvents(boolean enabled) {
            boolean before = events;
            events = enabled;
            return before;
        }

        public void heartbeat() {
            heartbeats++;
        }

        public List<ActiveTask> reserved() {
            return reserved;
        }

        public List<ActiveTask> scheduled() {
            return scheduled;
        }

        public List<String> resize(int change, String queue) {
            if (autoscaler != null) {
                throw new IllegalStateException("is not supported with autoscale. Adjust autoscale range instead.");
            }
            var resized = new ArrayList<String>();
            pools.forEach((name, size) -> {
                if (queue == null || queue.equals(name)) {
                    if (size + change < 1) {
                        throw new IllegalArgumentException("cannot shrink " + name);
                    }
                    resized.add(name);
                }
            });
            resized.forEach(name -> pools.merge(name, change, Integer::sum));
            return resized;
        }

        public Autoscaler autoscale(Autoscaler bounds) {
            autoscaler = bounds;
            return bounds;
        }

        public Autoscaler autoscaler() {
            return autoscaler;
        }

        public boolean addConsumer(String queue) {
            if (!declared.contains(queue)) {
                throw new IllegalArgumentException("queue '" + queue + "' is not declared");
            }
            return pools.putIfAbsent(queue, 2) == null;
        }

        public boolean cancelConsumer(String queue) {
            return pools.remove(queue) != null;
        }

        public boolean timeLimit(String task, TimeLimit limit) {
            if (!registered().contains(task)) {
                return false;
            }
            timeLimits.put(task, limit);
            return true;
        }

        public void shutdown() {
            shutdowns++;
        }
    }

    private String reply(String command) {
        ControlCommand parsed = ControlCommand.decode(mapper, command.getBytes(StandardCharsets.UTF_8));
        return mapper.writeValueAsString(commands.handle(parsed));
    }

    @Test
    void answersPingRegisteredAndTheEmptyQueuesOfAWorkerThatHoldsNothingBack() {
        assertThat(reply("{\"method\": \"ping\"}")).isEqualTo("{\"ok\":\"pong\"}");
        assertThat(reply("{\"method\": \"registered\"}")).isEqualTo("[\"demo.add\",\"demo.sleep\"]");
        assertThat(reply("{\"method\": \"scheduled\"}")).isEqualTo("[]");
        assertThat(reply("{\"method\": \"reserved\"}")).isEqualTo("[]");
        assertThat(reply("{\"method\": \"clock\"}")).isEqualTo("{\"clock\":42}");
    }

    @Test
    void celerysRateLimitSetsATaskTypesLimitLiveAndLiftsIt() {
        assertThat(
                        reply(
                                "{\"method\": \"rate_limit\", \"arguments\": {\"task_name\": \"demo.add\", \"rate_limit\": \"2/s\"}}"))
                .isEqualTo("{\"ok\":\"new rate limit set successfully\"}");
        assertThat(limiter.admit("demo.add", RateLimit.NONE)).isZero();
        assertThat(limiter.admit("demo.add", RateLimit.NONE)).isEqualTo(Duration.ofMillis(500));

        assertThat(
                        reply(
                                "{\"method\": \"rate_limit\", \"arguments\": {\"task_name\": \"demo.add\", \"rate_limit\": null}}"))
                .isEqualTo("{\"ok\":\"rate limit disabled successfully\"}");
        assertThat(limiter.admit("demo.add", RateLimit.NONE)).isZero();
        assertThat(limiter.limits()).isEmpty();

        assertThat(
                        reply(
                                "{\"method\": \"rate_limit\", \"arguments\": {\"task_name\": \"demo.nope\", \"rate_limit\": \"1/s\"}}"))
                .isEqualTo("{\"error\":\"unknown task demo.nope\"}");
        assertThat(
                        reply(
                                "{\"method\": \"rate_limit\", \"arguments\": {\"task_name\": \"demo.add\", \"rate_limit\": \"lots\"}}"))
                .startsWith("{\"error\":\"invalid rate limit string: 'lots' is no rate limit");
    }

    @Test
    void describesRunningTasksAsCeleryRequestsDo() {
        var active = mapper.readTree(reply("{\"method\": \"active\"}")).get(0);

        assertThat(active.get("id").asString()).isEqualTo("running-1");
        assertThat(active.get("args").toString()).isEqualTo("[1000]");
        assertThat(active.get("time_start").asDouble()).isEqualTo(NOW.getEpochSecond() - 3.0);
        assertThat(active.get("acknowledged").asBoolean()).isFalse();
        assertThat(active.at("/delivery_info/exchange").asString()).isEqualTo("celeriac.tasks");
        assertThat(active.get("worker_pid").asLong())
                .isEqualTo(ProcessHandle.current().pid());
        assertThat(reply("{\"method\": \"query_task\", \"arguments\": {\"ids\": [\"running-1\", \"other\"]}}"))
                .startsWith("{\"running-1\":[\"active\",{\"id\":\"running-1\"");
    }

    @Test
    void reportsStatsWithUptimeTotalsAndPools() {
        var stats = mapper.readTree(reply("{\"method\": \"stats\"}"));

        assertThat(stats.get("uptime").asLong()).isEqualTo(90);
        assertThat(stats.at("/total/demo.add").asLong()).isEqualTo(7);
        assertThat(stats.at("/pool/max-concurrency").asInt()).isEqualTo(4);
        assertThat(stats.at("/pool/queues/default/busy").asInt()).isEqualTo(1);
        assertThat(stats.get("prefetch_count").asInt()).isEqualTo(5);
        assertThat(stats.get("clock").asString()).isEqualTo("42");
        assertThat(stats.at("/broker/hostname").asString()).isEqualTo("rabbit");
    }

    @Test
    void aBroadcastRevokeIsKeptAndStoredWhileADirectedOneOnlyHoldsHere() {
        assertThat(reply("{\"method\": \"revoke\", \"arguments\": {\"task_id\": \"t-1\"}}"))
                .isEqualTo("{\"ok\":\"tasks t-1 flagged as revoked\"}");
        assertThat(revocations.isRevoked("t-1")).isTrue();
        assertThat(persisted).containsExactly(new Revoke(List.of("t-1"), false, null));

        reply("{\"method\": \"revoke\", \"destination\": [\"w@h\"], \"arguments\": {\"task_id\": \"t-2\"}}");
        assertThat(revocations.isRevoked("t-2")).isTrue();
        assertThat(persisted).hasSize(1);
        assertThat(reply("{\"method\": \"revoked\"}")).contains("t-1").contains("t-2");

        // A revoke the API broadcasts after storing it is not stored again by every worker that hears it.
        commands.handle(ControlCommand.decode(mapper, new Revoke(List.of("t-3"), false, null).encodeBroadcast(mapper)));
        assertThat(revocations.isRevoked("t-3")).isTrue();
        assertThat(persisted).hasSize(1);
    }

    @Test
    void terminateNamesTheTasksItInterruptedHere() {
        var interrupted = new ArrayList<String>();
        revocations.onTerminate(interrupted::add);

        assertThat(
                        reply(
                                "{\"method\": \"terminate\", \"arguments\": {\"signal\": \"SIGTERM\", \"task_id\": \"running-1\"}}"))
                .isEqualTo("{\"ok\":\"terminate: running-1\"}");
        assertThat(reply("{\"method\": \"revoke\", \"arguments\": {\"task_id\": \"elsewhere\", \"terminate\": true}}"))
                .isEqualTo("{\"ok\":\"terminate: tasks unknown\"}");
        assertThat(interrupted).containsExactly("running-1", "elsewhere");
    }

    @Test
    void turnsEventsOffAndOnAndSendsAHeartbeatOnRequest() {
        assertThat(reply("{\"method\": \"disable_events\"}")).isEqualTo("{\"ok\":\"task events disabled\"}");
        assertThat(reply("{\"method\": \"disable_events\"}")).isEqualTo("{\"ok\":\"task events already disabled\"}");
        assertThat(reply("{\"method\": \"enable_events\"}")).isEqualTo("{\"ok\":\"task events enabled\"}");
        assertThat(node.events).isTrue();
        assertThat(reply("{\"method\": \"heartbeat\"}")).isEqualTo("null");
        assertThat(node.heartbeats).isEqualTo(1);
    }

    @Test
    void swapsRevokedIdsWithAStartingPythonWorker() {
        revocations.revoke("known-here", false);

        var hello = mapper.readTree(reply("{\"method\": \"hello\", \"arguments\": {\"from_node\": \"py@h\","
                + " \"revoked\": {\"known-there\": 1795000000.5}}}"));

        assertThat(hello.at("/revoked/known-here").asDouble()).isEqualTo((double) NOW.getEpochSecond());
        assertThat(hello.get("clock").asLong()).isEqualTo(42);
        assertThat(revocations.isRevoked("known-there")).isTrue();
        assertThat(reply("{\"method\": \"hello\", \"arguments\": {\"from_node\": \"w@h\"}}"))
                .isEqualTo("null");
    }

    @Test
    void refusesAMalformedCommandOrOneItDoesNotKnowWithAClearError() {
        assertThat(reply("{\"method\": \"pool_restart\"}"))
                .isEqualTo("{\"error\":\"command 'pool_restart' is not supported by Celeriac workers\"}");
        assertThat(reply("{\"method\": \"revoke\", \"arguments\": {}}"))
                .contains("error")
                .contains("task_id");
    }

    @Test
    void listsTheTasksItHoldsWaitingForASlotAndThoseOnTheirWayToTheDelayLadder() {
        node.reserved.add(held("waiting-1", null));
        node.scheduled.add(held("later-1", NOW.plusSeconds(60)));

        assertThat(mapper.readTree(reply("{\"method\": \"reserved\"}")))
                .singleElement()
                .satisfies(task -> {
                    assertThat(task.get("id").asString()).isEqualTo("waiting-1");
                    assertThat(task.get("time_start").isNull()).isTrue();
                    assertThat(task.at("/delivery_info/routing_key").asString()).isEqualTo("default");
                });
        assertThat(mapper.readTree(reply("{\"method\": \"scheduled\"}")))
                .singleElement()
                .satisfies(entry -> {
                    assertThat(entry.get("eta").asString()).isEqualTo("2030-01-02T03:05:05Z");
                    assertThat(entry.get("priority").asInt()).isZero();
                    assertThat(entry.at("/request/id").asString()).isEqualTo("later-1");
                });
        assertThat(reply("{\"method\": \"query_task\", \"arguments\": {\"ids\": [\"waiting-1\"]}}"))
                .contains("\"reserved\"");
    }

    @Test
    void growsAndShrinksThePoolsAsCeleryDoesAndRefusesToEmptyOne() {
        assertThat(reply("{\"method\": \"pool_grow\", \"arguments\": {\"n\": 3}}"))
                .isEqualTo("{\"ok\":\"pool will grow\"}");
        assertThat(node.pools).containsEntry("default", 7);
        assertThat(reply("{\"method\": \"pool_shrink\"}")).isEqualTo("{\"ok\":\"pool will shrink\"}");
        assertThat(node.pools).containsEntry("default", 6);
        assertThat(reply("{\"method\": \"pool_shrink\", \"arguments\": {\"n\": 6}}"))
                .isEqualTo("{\"error\":\"cannot shrink default\"}");
        assertThat(reply("{\"method\": \"pool_grow\", \"arguments\": {\"n\": 0}}"))
                .contains("n must be 1 or more");
        assertThat(node.pools).containsEntry("default", 6);
    }

    @Test
    void autoscalesWithinTheBoundsGivenAndThenRefusesAFixedResizeAsCeleryDoes() {
        assertThat(reply("{\"method\": \"autoscale\", \"arguments\": {\"max\": 10, \"min\": 3}}"))
                .isEqualTo("{\"ok\":\"autoscale now max=10 min=3\"}");
        assertThat(node.autoscaler).isEqualTo(new Autoscaler(10, 3));
        assertThat(reply("{\"method\": \"autoscale\", \"arguments\": {\"max\": 12}}"))
                .isEqualTo("{\"ok\":\"autoscale now max=12 min=3\"}");
        assertThat(reply("{\"method\": \"autoscale\", \"arguments\": {\"max\": 2, \"min\": 5}}"))
                .contains("autoscale needs 1 <= min <= max");
        assertThat(reply("{\"method\": \"pool_grow\"}"))
                .isEqualTo(
                        "{\"error\":\"pool_grow is not supported with autoscale. Adjust autoscale range instead.\"}");
    }

    @Test
    void addsAndCancelsConsumersOfDeclaredQueues() {
        assertThat(reply("{\"method\": \"add_consumer\", \"arguments\": {\"queue\": \"email\"}}"))
                .isEqualTo("{\"ok\":\"add consumer email\"}");
        assertThat(reply("{\"method\": \"add_consumer\", \"arguments\": {\"queue\": \"email\"}}"))
                .isEqualTo("{\"ok\":\"already consuming from email\"}");
        assertThat(reply("{\"method\": \"add_consumer\", \"arguments\": {\"queue\": \"nowhere\"}}"))
                .isEqualTo("{\"error\":\"queue 'nowhere' is not declared\"}");
        assertThat(reply("{\"method\": \"cancel_consumer\", \"arguments\": {\"queue\": \"email\"}}"))
                .isEqualTo("{\"ok\":\"no longer consuming from email\"}");
        assertThat(reply("{\"method\": \"cancel_consumer\", \"arguments\": {\"queue\": \"email\"}}"))
                .isEqualTo("{\"error\":\"not consuming from email\"}");
        assertThat(node.pools).containsOnlyKeys("default");
    }

    @Test
    void setsATaskTypesTimeLimitsInSecondsAndRefusesAnUnknownTaskOrABadLimit() {
        assertThat(reply("{\"method\": \"time_limit\", \"arguments\": {\"task_name\": \"demo.sleep\", \"soft\": 1.5,"
                        + " \"hard\": 3}}"))
                .isEqualTo("{\"ok\":\"time limits set successfully\"}");
        assertThat(node.timeLimits)
                .containsEntry("demo.sleep", new TimeLimit(Duration.ofMillis(1500), Duration.ofSeconds(3)));
        assertThat(reply(
                        "{\"method\": \"time_limit\", \"arguments\": {\"task_name\": \"demo.sleep\", \"soft\": null}}"))
                .isEqualTo("{\"ok\":\"time limits set successfully\"}");
        assertThat(node.timeLimits).containsEntry("demo.sleep", TimeLimit.NONE);
        assertThat(reply("{\"method\": \"time_limit\", \"arguments\": {\"task_name\": \"demo.nope\", \"soft\": 1}}"))
                .isEqualTo("{\"error\":\"unknown task\"}");
        assertThat(reply("{\"method\": \"time_limit\", \"arguments\": {\"task_name\": \"demo.sleep\", \"hard\": -1}}"))
                .contains("a hard time limit is a number of seconds above 0");
    }

    @Test
    void shutsDownWhenAskedAndSaysSo() {
        assertThat(reply("{\"method\": \"shutdown\"}")).isEqualTo("{\"ok\":\"shutting down\"}");
        assertThat(node.shutdowns).isEqualTo(1);
    }

    private ActiveTask held(String id, Instant eta) {
        return new ActiveTask(
                id,
                "demo.add",
                mapper.readTree("[1, 2]"),
                mapper.readTree("{}"),
                "default",
                "celeriac.tasks",
                null,
                eta,
                false,
                null);
    }
}
