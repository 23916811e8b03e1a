package dev.celeriac.worker.internal.control;

import dev.celeriac.producer.TaskClient;
import dev.celeriac.protocol.control.ControlCommand;
import dev.celeriac.protocol.control.RateLimit;
import dev.celeriac.protocol.control.Revoke;
import dev.celeriac.protocol.message.MalformedMessageException;
import dev.celeriac.protocol.message.TimeLimit;
import dev.celeriac.protocol.names.TopologyNames;
import dev.celeriac.protocol.topology.QueueSpec;
import dev.celeriac.worker.pool.Autoscaler;
import dev.celeriac.worker.ratelimit.RateLimiter;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The answers of a Celeriac worker to Celery's remote control commands, in the shapes a Celery worker gives them, so
 * that {@code celery inspect}, {@code celery control} and Flower read them unchanged. {@code reserved} lists the
 * tasks the worker holds waiting for a slot (at most each pool's lookahead: it takes no more messages than it can
 * start), {@code scheduled} those due later that it holds, which is only while it sends them round the delay ladder:
 * they wait in the broker, never in a worker. {@code pool_grow}, {@code pool_shrink} and {@code autoscale} resize the
 * running pools, {@code add_consumer} and {@code cancel_consumer} start and stop consuming a queue,
 * {@code time_limit} changes a task type's limits, and {@code shutdown} drains the worker as a SIGTERM does.
 */
public final class ControlCommands {

    /** What the commands read of, and do to, the worker they run in. */
    public interface Node {
        /** The worker's node name. */
        String hostname();

        /** The software version. */
        String version();

        /** When the worker started. */
        Instant startedAt();

        /** Tasks running now. */
        List<ActiveTask> active();

        /** Tasks settled since start, by name. */
        Map<String, Long> totals();

        /** Names of the registered tasks. */
        Set<String> registered();

        /** The consumed queues with their pools. */
        List<PoolInfo> pools();

        /** The broker connection, without credentials. */
        Map<String, Object> broker();

        /** The Lamport clock. */
        long clock();

        /** Moves the Lamport clock past a value another node sent. */
        void clockSeen(long value);

        /** Whether task events are sent. */
        boolean taskEvents();

        /** Turns task events on or off; returns whether they were on. */
        boolean taskEvents(boolean enabled);

        /** Sends a heartbeat event now. */
        void heartbeat();

        /** Tasks held waiting for a slot. */
        List<ActiveTask> reserved();

        /** Tasks due later held on their way to the delay ladder. */
        List<ActiveTask> scheduled();

        /**
         * Grows ({@code change > 0}) or shrinks every pool, or the pool of {@code queue} if not {@code null}.
         *
         * @return the queues whose pools were resized
         * @throws IllegalStateException if the pools autoscale
         * @throws IllegalArgumentException if a pool would have no slot left, or no pool serves {@code queue}
         */
        List<String> resize(int change, String queue);

        /** Autoscales every pool within {@code bounds} from now on. */
        Autoscaler autoscale(Autoscaler bounds);

        /** The autoscaling bounds in force, or {@code null} if the pools keep their sizes. */
        Autoscaler autoscaler();

        /**
         * Starts consuming a declared queue.
         *
         * @return false if the worker consumes it already
         * @throws IllegalArgumentException if the queue is not declared
         */
        boolean addConsumer(String queue) throws IOException;

        /** Stops consuming a queue, letting its running tasks finish; false if the worker does not consume it. */
        boolean cancelConsumer(String queue);

        /** Gives a task type new time limits; false if there is no such task. */
        boolean timeLimit(String task, TimeLimit limit);

        /** Drains and stops the worker, as a SIGTERM does. */
        void shutdown();
    }

    /**
     * A consumed queue and its pool.
     *
     * @param queue the queue, with the arguments it is declared with
     * @param pool the pool kind ({@code platform}, {@code virtual})
     * @param slots tasks the pool runs at once
     * @param busy slots in use now
     * @param prefetch messages the worker holds at most from the queue
     */
    public record PoolInfo(QueueSpec queue, String pool, int slots, int busy, int prefetch) {}

    private static final Logger log = LoggerFactory.getLogger(ControlCommands.class);
    private static final String OK = "ok";
    private static final String ERROR = "error";

    private final Node node;
    private final Revocations revocations;
    private final RateLimiter limiter;
    private final Consumer<Revoke> persist;
    private final Clock clock;

    /**
     * @param persist publishes a revoke that was broadcast to every worker on the revocation stream, so that workers
     *     that start later honour it too
     */
    public ControlCommands(
            Node node, Revocations revocations, RateLimiter limiter, Consumer<Revoke> persist, Clock clock) {
        this.node = node;
        this.revocations = revocations;
        this.limiter = limiter;
        this.persist = persist;
        this.clock = clock;
    }

    /**
     * Publishes broadcast revokes on the revocation stream with the given client, off the control thread; a revoke
     * that cannot be published still holds on the running workers that heard it.
     */
    public static Consumer<Revoke> persistingWith(TaskClient client) {
        return revoke -> Thread.ofVirtual().name("celeriac-revoke").start(() -> {
            for (String id : revoke.taskIds()) {
                try {
                    client.revoke(id, revoke.terminate());
                } catch (RuntimeException e) {
                    log.warn("the revoke of task {} was not stored on the revocation stream: {}", id, e.toString());
                }
            }
        });
    }

    /** The node name of the worker these commands answer for. */
    public String hostname() {
        return node.hostname();
    }

    /** The worker's Lamport clock, as the replies carry it. */
    public long clock() {
        return node.clock();
    }

    /** Moves the worker's Lamport clock past one a command carried. */
    public void clockSeen(long value) {
        node.clockSeen(value);
    }

    /** The reply to a command addressed to this worker (any JSON value, or {@code null}). */
    public Object handle(ControlCommand command) {
        JsonNode arguments = command.arguments();
        return switch (command.method()) {
            case "ping" -> ok("pong");
            case "active", "dump_active" ->
                node.active().stream().map(this::info).toList();
            case "reserved", "dump_reserved" ->
                node.reserved().stream().map(this::info).toList();
            case "scheduled", "dump_schedule" ->
                node.scheduled().stream().map(this::scheduled).toList();
            case "registered", "dump_tasks" -> new ArrayList<>(new TreeSet<>(node.registered()));
            case "revoked", "dump_revoked" -> List.copyOf(revocations.ids());
            case "stats" -> stats();
            case "active_queues" ->
                node.pools().stream().map(p -> queue(p.queue())).toList();
            case "query_task" -> queryTask(arguments);
            case "clock" -> Map.of("clock", node.clock());
            case "report" -> ok(report());
            case "conf" -> conf();
            case "enable_events" -> ok(node.taskEvents(true) ? "task events already enabled" : "task events enabled");
            case "disable_events" ->
                ok(node.taskEvents(false) ? "task events disabled" : "task events already disabled");
            case "heartbeat" -> {
                node.heartbeat();
                yield null;
            }
            case "hello" -> hello(arguments);
            case "rate_limit" -> rateLimit(arguments);
            case "time_limit" -> timeLimit(arguments);
            case "pool_grow" -> resize(arguments, 1, "pool will grow");
            case "pool_shrink" -> resize(arguments, -1, "pool will shrink");
            case "autoscale" -> autoscale(arguments);
            case "add_consumer" -> addConsumer(arguments);
            case "cancel_consumer" -> cancelConsumer(arguments);
            case "shutdown" -> {
                node.shutdown();
                yield ok("shutting down");
            }
            case Revoke.METHOD, Revoke.TERMINATE_METHOD -> revoke(command);
            default -> error("command '" + command.method() + "' is not supported by Celeriac workers");
        };
    }

    private Object revoke(ControlCommand command) {
        Revoke revoke;
        try {
            revoke = Revoke.of(command);
        } catch (MalformedMessageException e) {
            return error(e.getMessage());
        }
        Set<String> running =
                Set.copyOf(node.active().stream().map(ActiveTask::id).toList());
        revoke.taskIds().forEach(id -> revocations.revoke(id, revoke.terminate(), revoke.until()));
        boolean stored = command.arguments().path(Revoke.STORED_ARGUMENT).asBoolean(false);
        if (command.destination() == null && command.pattern() == null && !stored) {
            persist.accept(revoke);
        }
        String ids = String.join(", ", revoke.taskIds());
        if (revoke.terminate()) {
            List<String> terminated =
                    revoke.taskIds().stream().filter(running::contains).toList();
            return ok(
                    terminated.isEmpty() ? "terminate: tasks unknown" : "terminate: " + String.join(", ", terminated));
        }
        return ok("tasks " + ids + " flagged as revoked");
    }

    private Map<String, Object> info(ActiveTask task) {
        var info = new LinkedHashMap<String, Object>();
        info.put("id", task.id());
        info.put("name", task.name());
        info.put("args", task.args());
        info.put("kwargs", task.kwargs());
        info.put("type", task.name());
        info.put("hostname", node.hostname());
        info.put("time_start", task.startedAt() == null ? null : seconds(task.startedAt()));
        info.put("acknowledged", false); // acked last, after the outcome is confirmed
        var delivery = new LinkedHashMap<String, Object>();
        delivery.put("exchange", task.exchange() == null ? TopologyNames.TASK_EXCHANGE : task.exchange());
        delivery.put("routing_key", task.queue());
        delivery.put("priority", task.priority());
        delivery.put("redelivered", task.redelivered());
        info.put("delivery_info", delivery);
        info.put("worker_pid", ProcessHandle.current().pid());
        return info;
    }

    /** A task due later, as Celery's {@code inspect scheduled} lists one. */
    private Map<String, Object> scheduled(ActiveTask task) {
        var entry = new LinkedHashMap<String, Object>();
        entry.put("eta", task.eta() == null ? null : task.eta().toString());
        entry.put("priority", task.priority() == null ? 0 : task.priority());
        entry.put("request", info(task));
        return entry;
    }

    private Map<String, Object> queryTask(JsonNode arguments) {
        var wanted = new HashSet<String>();
        JsonNode ids = arguments.path("ids");
        if (ids.isString()) {
            wanted.add(ids.stringValue());
        } else {
            ids.values().forEach(id -> wanted.add(id.asString()));
        }
        var found = new LinkedHashMap<String, Object>();
        node.active().stream()
                .filter(task -> wanted.contains(task.id()))
                .forEach(task -> found.put(task.id(), List.of("active", info(task))));
        node.reserved().stream()
                .filter(task -> wanted.contains(task.id()))
                .forEach(task -> found.put(task.id(), List.of("reserved", info(task))));
        return found;
    }

    private Map<String, Object> stats() {
        var stats = new LinkedHashMap<String, Object>();
        stats.put("total", node.totals());
        stats.put("pid", ProcessHandle.current().pid());
        stats.put("clock", Long.toString(node.clock()));
        stats.put("uptime", Duration.between(node.startedAt(), clock.instant()).toSeconds());
        var pools = new LinkedHashMap<String, Object>();
        int slots = 0;
        int prefetch = 0;
        for (PoolInfo pool : node.pools()) {
            slots += pool.slots();
            prefetch += pool.prefetch();
            var one = new LinkedHashMap<String, Object>();
            one.put("pool", pool.pool());
            one.put("max-concurrency", pool.slots());
            one.put("busy", pool.busy());
            one.put("prefetch", pool.prefetch());
            pools.put(pool.queue().name(), one);
        }
        var pool = new LinkedHashMap<String, Object>();
        pool.put("implementation", "celeriac");
        pool.put("max-concurrency", slots);
        pool.put("queues", pools);
        stats.put("pool", pool);
        stats.put("broker", node.broker());
        stats.put("prefetch_count", prefetch);
        stats.put("rusage", ProcessUsage.now());
        stats.put("sw_ident", "celeriac");
        stats.put("sw_ver", node.version());
        return stats;
    }

    /** A queue as kombu's {@code Queue.as_dict()} describes it, the shape of {@code inspect active_queues}. */
    private static Map<String, Object> queue(QueueSpec spec) {
        var exchange = new LinkedHashMap<String, Object>();
        exchange.put("name", TopologyNames.TASK_EXCHANGE);
        exchange.put("type", "direct");
        exchange.put("arguments", null);
        exchange.put("durable", true);
        exchange.put("passive", false);
        exchange.put("auto_delete", false);
        exchange.put("delivery_mode", null);
        exchange.put("no_declare", false);
        var queue = new LinkedHashMap<String, Object>();
        queue.put("name", spec.name());
        queue.put("exchange", exchange);
        queue.put("routing_key", spec.name());
        queue.put("queue_arguments", spec.arguments());
        queue.put("binding_arguments", null);
        queue.put("consumer_arguments", null);
        queue.put("durable", true);
        queue.put("exclusive", false);
        queue.put("auto_delete", false);
        queue.put("no_ack", false);
        queue.put("alias", null);
        queue.put("bindings", List.of());
        queue.put("no_declare", null);
        queue.put("expires", null);
        queue.put("message_ttl", null);
        queue.put("max_length", spec.arguments().get("x-max-length"));
        queue.put("max_length_bytes", null);
        queue.put("max_priority", spec.arguments().get("x-max-priority"));
        return queue;
    }

    private Map<String, Object> conf() {
        var conf = new LinkedHashMap<String, Object>();
        conf.put("worker_hostname", node.hostname());
        conf.put("worker_send_task_events", node.taskEvents());
        conf.put("task_queues", node.pools().stream().map(p -> p.queue().name()).toList());
        conf.put("broker_url", brokerUrl());
        conf.put("sw_ident", "celeriac");
        conf.put("sw_ver", node.version());
        return conf;
    }

    private String brokerUrl() {
        Map<String, Object> broker = node.broker();
        return "amqp://" + broker.get("userid") + ":********@" + broker.get("hostname") + ":" + broker.get("port") + "/"
                + broker.get("virtual_host");
    }

    private String report() {
        return "\nsoftware -> celeriac:" + node.version() + " java:" + Runtime.version() + "\nplatform -> system:"
                + System.getProperty("os.name") + " arch:" + System.getProperty("os.arch") + " kernel version:"
                + System.getProperty("os.version") + " vm:" + System.getProperty("java.vm.name") + "\nsettings -> "
                + "transport:amqp results:rpc (reply_to)\n\nbroker_url: " + brokerUrl() + "\n";
    }

    /**
     * Celery workers greet each other when they start ({@code mingle}) and swap their revoked task ids: a Python
     * worker starting beside Celeriac workers learns theirs, and they take its.
     */
    private Object hello(JsonNode arguments) {
        if (node.hostname().equals(arguments.path("from_node").asString(""))) {
            return null;
        }
        for (var entry : arguments.path("revoked").properties()) {
            revocations.revoke(entry.getKey(), false);
        }
        var revoked = new TreeMap<String, Object>();
        revocations.all().forEach((id, revocation) -> revoked.put(id, seconds(revocation.at())));
        var reply = new LinkedHashMap<String, Object>();
        reply.put("revoked", revoked);
        reply.put("clock", node.clock());
        return reply;
    }

    /**
     * Celery's {@code rate_limit}: sets a task type's limit on this worker from now on ({@code task_name},
     * {@code rate_limit} in Celery's syntax; 0 or none lifts it). Answered as Celery answers it.
     */
    private Map<String, Object> rateLimit(JsonNode arguments) {
        String task = arguments.path("task_name").asString("");
        if (!node.registered().contains(task)) {
            return error("unknown task " + task);
        }
        JsonNode value = arguments.path("rate_limit");
        RateLimit limit;
        try {
            limit = value.isNull() || value.isMissingNode() ? RateLimit.NONE : RateLimit.parse(value.asString());
        } catch (IllegalArgumentException e) {
            return error("invalid rate limit string: " + e.getMessage());
        }
        limiter.set(task, limit);
        log.info("rate limit of task {} set to {} by remote control", task, value.isNull() ? "none" : value.asString());
        return ok(limit.limits() ? "new rate limit set successfully" : "rate limit disabled successfully");
    }

    /**
     * Celery's {@code time_limit}: new soft and hard limits of a task type, in seconds ({@code soft}, {@code hard};
     * missing or null for none), from the next run on.
     */
    private Map<String, Object> timeLimit(JsonNode arguments) {
        String task = arguments.path("task_name").asString("");
        Duration soft;
        Duration hard;
        try {
            soft = seconds(arguments.path("soft"), "soft");
            hard = seconds(arguments.path("hard"), "hard");
        } catch (IllegalArgumentException e) {
            return error(e.getMessage());
        }
        if (!node.timeLimit(task, new TimeLimit(soft, hard))) {
            return error("unknown task");
        }
        log.info("time limits of task {} set to soft={} hard={} by remote control", task, soft, hard);
        return ok("time limits set successfully");
    }

    private static Duration seconds(JsonNode value, String name) {
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        double seconds = value.isNumber() ? value.asDouble() : Double.parseDouble(value.asString("x"));
        if (!(seconds > 0) || Double.isInfinite(seconds)) {
            throw new IllegalArgumentException(
                    "a " + name + " time limit is a number of seconds above 0, was " + value);
        }
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }

    /**
     * {@code pool_grow} and {@code pool_shrink}: by {@code n} slots (1 if not given), every pool of the worker, or
     * the pool of {@code queue} only (a Celeriac worker has one pool per queue).
     */
    private Map<String, Object> resize(JsonNode arguments, int direction, String answer) {
        int n = arguments.path("n").asInt(1);
        if (n < 1) {
            return error("n must be 1 or more, was " + arguments.path("n"));
        }
        String queue =
                arguments.path("queue").isString() ? arguments.path("queue").asString() : null;
        try {
            List<String> queues = node.resize(direction * n, queue);
            log.info("pools of queues {} resized by {} by remote control", queues, direction * n);
        } catch (IllegalStateException e) {
            return error((direction > 0 ? "pool_grow " : "pool_shrink ") + e.getMessage());
        } catch (IllegalArgumentException e) {
            return error(e.getMessage());
        }
        return ok(answer);
    }

    /** Celery's {@code autoscale max min}: the pools grow to {@code max} slots under load and shrink to {@code min}. */
    private Map<String, Object> autoscale(JsonNode arguments) {
        Autoscaler current = node.autoscaler();
        int max = arguments.path("max").asInt(current == null ? 0 : current.max());
        int min = arguments.path("min").asInt(current == null ? max : current.min());
        Autoscaler bounds;
        try {
            bounds = node.autoscale(new Autoscaler(max, min));
        } catch (IllegalArgumentException e) {
            return error(e.getMessage());
        }
        return ok("autoscale now max=" + bounds.max() + " min=" + bounds.min());
    }

    private Map<String, Object> addConsumer(JsonNode arguments) {
        String queue = arguments.path("queue").asString("");
        try {
            return ok(node.addConsumer(queue) ? "add consumer " + queue : "already consuming from " + queue);
        } catch (IllegalArgumentException e) {
            return error(e.getMessage());
        } catch (IOException | RuntimeException e) {
            log.warn("add_consumer {} failed", queue, e);
            return error("could not consume queue '" + queue + "': " + e.getMessage());
        }
    }

    private Map<String, Object> cancelConsumer(JsonNode arguments) {
        String queue = arguments.path("queue").asString("");
        return node.cancelConsumer(queue)
                ? ok("no longer consuming from " + queue)
                : error("not consuming from " + queue);
    }

    private static Map<String, Object> ok(Object value) {
        return Map.of(OK, value);
    }

    private static Map<String, Object> error(String value) {
        return Map.of(ERROR, value);
    }

    private static double seconds(Instant at) {
        return at.getEpochSecond() + at.getNano() / 1e9;
    }
}
