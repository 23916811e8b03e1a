package dev.celeriac.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import dev.celeriac.bench.stack.SharedImages;
import dev.celeriac.bench.stack.Stack;
import dev.celeriac.producer.BatchPublishException;
import dev.celeriac.producer.TaskClient;
import dev.celeriac.producer.TaskHandle;
import dev.celeriac.producer.TaskPublishException;
import dev.celeriac.producer.TaskRequest;
import dev.celeriac.protocol.event.EventCodec;
import dev.celeriac.protocol.event.TaskEvent;
import dev.celeriac.protocol.names.TopologyNames;
import dev.celeriac.protocol.state.TaskState;
import dev.celeriac.protocol.state.TaskStatus;
import dev.celeriac.testsupport.broker.RabbitCluster;
import dev.celeriac.testsupport.logs.LogExcerpt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import tools.jackson.databind.json.JsonMapper;

/**
 * One scenario's run of the reliability suite: the stack it runs against (a vhost and ledger database of its own),
 * every task id the system accepted, and two watchers that run for the whole scenario: one counts executions (each
 * {@code task-started} event a worker announces), the other reads the ledger four times a second and notes every
 * task whose recorded status ever moved backwards. {@link #assertNothingLost} checks the suite's rule at the end.
 */
final class Trial implements AutoCloseable {

    /** The event watcher's own queue in the scenario's vhost. */
    private static final String WATCH_QUEUE = "celeriac.reliability.watch";

    static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/";

    private final Stack stack;
    private final Set<String> accepted = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> starts = new ConcurrentHashMap<>();
    private final Set<String> succeeded = ConcurrentHashMap.newKeySet();
    private final Map<String, Double> firstStarts = new ConcurrentHashMap<>();
    private final Map<String, TaskStatus> seen = new ConcurrentHashMap<>();
    private final List<String> regressions = new CopyOnWriteArrayList<>();
    private final AtomicLong refused = new AtomicLong();
    private final Map<String, AtomicLong> refusedBy = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ledgerWatch = Executors.newSingleThreadScheduledExecutor();
    private Connection eventWatch;

    private Trial(Stack stack) {
        this.stack = stack;
    }

    /** A fresh vhost {@code celeriac-reliability-<name>} and ledger database; nothing runs yet. */
    static Trial start(String name, Path logs) throws Exception {
        return start(name, logs, Stack.Broker.local("127.0.0.1"));
    }

    /** The same on a RabbitMQ cluster (or single node) of the scenario's own. */
    static Trial start(String name, Path logs, RabbitCluster cluster) throws Exception {
        return start(
                name,
                logs,
                new Stack.Broker(
                        Arrays.asList(cluster.addresses().split(",")),
                        cluster.nodes().stream().map(RabbitCluster.Node::name).toList()));
    }

    /** The same on another broker. */
    static Trial start(String name, Path logs, Stack.Broker broker) throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        var stack = new Stack(
                root,
                broker,
                "celeriac-reliability-" + name,
                POSTGRES,
                "celeriac_reliability_" + name.replace('-', '_'),
                "postgres",
                logs);
        stack.reset();
        // Started as the images start them: the suite starts about a hundred worker and API JVMs on two cores.
        stack.startingFromImages(new SharedImages(root, logs));
        return new Trial(stack);
    }

    Stack stack() {
        return stack;
    }

    /**
     * Starts both watchers; call once the API has created the ledger's schema. The event watcher reads a quorum queue
     * of its own, emptied first, so that events sent while its connection recovers from a broker restart or a cut
     * wait for it there and {@link #ranTwice} misses none.
     */
    Trial watch() throws Exception {
        EventCodec codec = new EventCodec(JsonMapper.builder().build());
        eventWatch = stack.connect("reliability-watch");
        var channel = eventWatch.createChannel();
        String queue = WATCH_QUEUE;
        channel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum"));
        channel.queuePurge(queue);
        channel.queueBind(queue, TopologyNames.EVENT_EXCHANGE, "task.#");
        channel.basicConsume(
                queue,
                true,
                (tag, delivery) -> codec.decode(delivery.getBody()).forEach(event -> {
                    if (event instanceof TaskEvent.Started started) {
                        starts.computeIfAbsent(started.uuid(), id -> new AtomicInteger())
                                .incrementAndGet();
                        firstStarts.putIfAbsent(started.uuid(), started.source().timestamp());
                    } else if (event instanceof TaskEvent.Succeeded succeeded) {
                        this.succeeded.add(succeeded.uuid());
                    }
                }),
                tag -> {});
        ledgerWatch.scheduleWithFixedDelay(this::readLedger, 0, 250, TimeUnit.MILLISECONDS);
        return this;
    }

    private void readLedger() {
        try (var connection = stack.ledger();
                var statement = connection.createStatement();
                var rows = statement.executeQuery("SELECT id, state, attempt FROM tasks")) {
            while (rows.next()) {
                String id = rows.getString(1);
                var now = new TaskStatus(TaskState.valueOf(rows.getString(2)), rows.getInt(3));
                TaskStatus before = seen.put(id, now);
                if (before != null && !before.equals(now) && !TaskStatus.precedes(before, now)) {
                    regressions.add(id + ": " + before + " -> " + now);
                }
            }
        } catch (SQLException | RuntimeException e) {
            // The ledger may be unreachable on purpose; the next read catches up.
        }
    }

    /** Submits {@code count} tasks in batches of 200 and records the accepted ids; refusals are counted, not lost. */
    List<String> submit(TaskClient client, int count, Supplier<TaskRequest> request) {
        var ids = new ArrayList<String>();
        for (int done = 0; done < count; done += 200) {
            var requests = new ArrayList<TaskRequest>();
            for (int i = 0; i < Math.min(200, count - done); i++) {
                requests.add(request.get());
            }
            List<TaskHandle> handles;
            try {
                handles = client.submitAll(requests);
            } catch (BatchPublishException e) {
                handles = e.accepted();
                refused.addAndGet(e.failures().size());
                e.failures().values().forEach(failure -> refusedFor(failure, 1));
            } catch (TaskPublishException e) {
                handles = List.of();
                refused.addAndGet(requests.size());
                refusedFor(e, requests.size());
            }
            handles.stream().map(TaskHandle::id).forEach(ids::add);
        }
        accepted.addAll(ids);
        return ids;
    }

    /**
     * Submits {@code perTick} tasks every 200 ms on a thread of its own, as a steady producer does, until the returned
     * handle is closed. What the broker refuses (while it is down, say) is counted, not retried.
     */
    AutoCloseable keepSubmitting(TaskClient client, int perTick, Supplier<TaskRequest> request) {
        var running = new AtomicBoolean(true);
        Thread feeder = Thread.ofPlatform().name("reliability-feed").start(() -> {
            while (running.get()) {
                submit(client, perTick, request);
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        return () -> {
            running.set(false);
            feeder.join();
        };
    }

    private void refusedFor(TaskPublishException failure, int tasks) {
        refusedBy
                .computeIfAbsent(failure.getClass().getSimpleName(), kind -> new AtomicLong())
                .addAndGet(tasks);
    }

    /** Refused submits by the kind of refusal ({@code PublishNackedException}, ...). */
    Map<String, Long> refusedByKind() {
        var kinds = new TreeMap<String, Long>();
        refusedBy.forEach((kind, n) -> kinds.put(kind, n.get()));
        return kinds;
    }

    /** Records a task id that the system accepted some other way (a 202 from the REST API). */
    void accepted(String id) {
        accepted.add(id);
    }

    int acceptedCount() {
        return accepted.size();
    }

    long refused() {
        return refused.get();
    }

    /** The accepted tasks by their state in the ledger; an accepted task the ledger lacks counts as {@code MISSING}. */
    Map<String, Long> states() throws SQLException {
        var states = new TreeMap<>(stack.ledgerStates(accepted));
        long known = states.values().stream().mapToLong(Long::longValue).sum();
        if (known < accepted.size()) {
            states.put("MISSING", accepted.size() - known);
        }
        return states;
    }

    /** Accepted tasks not (yet) in a terminal state. */
    long unfinished() throws SQLException {
        return states().entrySet().stream()
                .filter(e -> !isTerminal(e.getKey()))
                .mapToLong(Map.Entry::getValue)
                .sum();
    }

    long count(String state) throws SQLException {
        return states().getOrDefault(state, 0L);
    }

    /** A queue of the scenario's vhost as the broker sees it now: ready messages and consumers. */
    AMQP.Queue.DeclareOk queue(String name) throws Exception {
        try (var connection = stack.connect("reliability-check");
                var channel = connection.createChannel()) {
            return channel.queueDeclarePassive(name);
        }
    }

    /** When each of these tasks was first seen starting, by its worker's clock in seconds, earliest first. */
    List<Double> startTimes(Collection<String> ids) {
        return ids.stream()
                .map(firstStarts::get)
                .filter(start -> start != null)
                .sorted()
                .toList();
    }

    /** How many of these tasks were seen starting at least once. */
    long ranAny(Collection<String> ids) {
        return ids.stream().filter(id -> executions(id) > 0).count();
    }

    /** Event messages waiting for the recorder in the scenario's {@code celeriac.events}. */
    long eventBacklog() throws Exception {
        return queue(TopologyNames.EVENT_QUEUE).getMessageCount();
    }

    /**
     * Two worker JVMs, {@code w1} and {@code w2}, with the same arguments, and a Java producer that waits for the
     * broker's confirms; the watchers are started.
     */
    TaskClient twoWorkersAndAProducer(String... workerArguments) throws Exception {
        stack.worker("w1", List.of(), workerArguments);
        stack.worker("w2", List.of(), workerArguments);
        TaskClient client = stack.producer(true).getBean(TaskClient.class);
        watch();
        return client;
    }

    /** Waits until every accepted task is terminal in the ledger. */
    void awaitAllTerminal(Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(500)).until(() -> unfinished() == 0);
    }

    /** Tasks that started more than once (announced {@code task-started} twice or more). */
    long ranTwice() {
        return starts.values().stream().filter(n -> n.get() > 1).count();
    }

    /** Executions of one task, as the workers announced them. */
    int executions(String id) {
        AtomicInteger n = starts.get(id);
        return n == null ? 0 : n.get();
    }

    /** Whether a worker announced that this task succeeded. */
    boolean succeeded(String id) {
        return succeeded.contains(id);
    }

    /** The ledger's state of each of the given tasks. */
    Map<String, String> stateOf(Collection<String> ids) throws SQLException {
        var states = new HashMap<String, String>();
        try (var connection = stack.ledger();
                var statement = connection.prepareStatement("SELECT id, state FROM tasks WHERE id = ANY (?)")) {
            statement.setArray(1, connection.createArrayOf("varchar", ids.toArray()));
            try (var rows = statement.executeQuery()) {
                while (rows.next()) {
                    states.put(rows.getString(1), rows.getString(2));
                }
            }
        }
        return states;
    }

    /** Whether the ledger holds every one of the given tasks, each in the given state (a task not yet recorded is not). */
    boolean allIn(Collection<String> ids, String state) throws SQLException {
        Map<String, String> states = stateOf(ids);
        return states.size() == ids.size() && states.values().stream().allMatch(state::equals);
    }

    /** The suite's rule: every accepted task terminal (lost = 0) and no recorded status ever moved backwards. */
    void assertNothingLost() throws SQLException {
        readLedger();
        assertThat(unfinished()).as("accepted tasks not terminal: %s", states()).isZero();
        assertThat(regressions).as("ledger regressions").isEmpty();
    }

    /** One line for the scenario's figures. */
    void report(String scenario, String figures) throws SQLException {
        System.out.printf(
                "reliability: %s: accepted %d, refused %d, lost %d, regressions %d, seen starting %d, ran twice %d;"
                        + " %s; states %s%n",
                scenario,
                accepted.size(),
                refused.get(),
                unfinished(),
                regressions.size(),
                starts.size(),
                ranTwice(),
                figures,
                states());
    }

    /** Warnings and errors kept per process log in {@link #diagnosis}. */
    private static final int DIAGNOSIS_LINES = 40;

    /**
     * What a failed wait shows about the run, since its logs go with its temporary directory: the last warnings and
     * errors of every process, the ledger by state, the event backlog, and the executions seen.
     */
    String diagnosis() {
        var text = new StringBuilder("diagnosis of ").append(stack.vhost()).append(":\n");
        try {
            text.append("  accepted tasks by state ").append(states()).append('\n');
        } catch (RuntimeException | SQLException e) {
            text.append("  ledger unreadable: ").append(e).append('\n');
        }
        try {
            text.append("  events waiting ").append(eventBacklog()).append('\n');
        } catch (Exception e) {
            text.append("  event queue unreadable: ").append(e).append('\n');
        }
        text.append("  executions seen ").append(starts.size()).append('\n');
        try (Stream<Path> logs = Files.list(stack.logs())) {
            for (Path log :
                    logs.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                LogExcerpt notable = LogExcerpt.of(
                        log,
                        line -> line.contains(" WARN ") || line.contains(" ERROR ") || line.contains("Exception"),
                        DIAGNOSIS_LINES);
                text.append("  ")
                        .append(log.getFileName())
                        .append(": ")
                        .append(notable.matched())
                        .append(" warnings and errors, the last:\n")
                        .append(notable.indented("    "));
            }
        } catch (IOException e) {
            text.append("  logs unreadable: ").append(e).append('\n');
        }
        return text.toString();
    }

    private static boolean isTerminal(String state) {
        try {
            return TaskState.valueOf(state).isTerminal();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public void close() throws Exception {
        ledgerWatch.shutdownNow();
        if (eventWatch != null) {
            eventWatch.abort();
        }
        stack.close();
    }
}
