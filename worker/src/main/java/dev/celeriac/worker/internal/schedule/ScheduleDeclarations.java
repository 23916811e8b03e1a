package dev.celeriac.worker.internal.schedule;

import dev.celeriac.protocol.names.NameRules;
import dev.celeriac.worker.CeleriacSchedule;
import dev.celeriac.worker.CeleriacTask;
import java.lang.reflect.Method;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.scheduling.support.CronExpression;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@link CeleriacSchedule}s of the application's task methods, found as the beans are created and checked at once:
 * a schedule that could never fire as written (no trigger or two, a cron expression, zone or interval that is not
 * one, arguments that are not JSON, a policy that does not exist, an id used twice) stops the worker with the
 * method and the reason. Each becomes the JSON object the API's schedules take.
 */
public final class ScheduleDeclarations implements BeanPostProcessor {

    private static final Set<String> MISSED = Set.of("run-once", "skip", "run-each");
    private static final Set<String> OVERLAP = Set.of("allow", "skip", "replace");

    private final JsonMapper json;
    private final Map<String, JsonNode> schedules = new ConcurrentHashMap<>();

    public ScheduleDeclarations(JsonMapper json) {
        this.json = json;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        Class<?> type = AopUtils.getTargetClass(bean);
        Map<Method, Set<CeleriacSchedule>> methods = MethodIntrospector.selectMethods(
                type, (MethodIntrospector.MetadataLookup<Set<CeleriacSchedule>>) method -> {
                    var found = AnnotatedElementUtils.findMergedRepeatableAnnotations(method, CeleriacSchedule.class);
                    return found.isEmpty() ? null : found;
                });
        methods.forEach((method, found) -> {
            String where = "@CeleriacSchedule on " + beanName + "." + method.getName();
            CeleriacTask task = AnnotatedElementUtils.findMergedAnnotation(method, CeleriacTask.class);
            if (task == null) {
                throw new IllegalStateException(where + ": the method is no @CeleriacTask");
            }
            if (found.size() > 1 && found.stream().anyMatch(s -> s.id().isBlank())) {
                throw new IllegalStateException(where + ": give each of a task's schedules an id");
            }
            for (CeleriacSchedule schedule : found) {
                JsonNode declared = declaration(where, task.name(), schedule);
                String id = declared.get("id").asString();
                if (schedules.putIfAbsent(id, declared) != null) {
                    throw new IllegalStateException(where + ": the schedule id '" + id + "' is used twice");
                }
            }
        });
        return bean;
    }

    /** Every schedule declared, as the API's schedules take them. */
    public List<JsonNode> all() {
        return List.copyOf(new ArrayList<>(schedules.values()));
    }

    private JsonNode declaration(String where, String task, CeleriacSchedule schedule) {
        String id = schedule.id().isBlank() ? task : schedule.id();
        String problem = NameRules.problem("schedule id", id);
        if (problem != null) {
            throw new IllegalStateException(where + ": " + problem);
        }
        boolean cron = !schedule.cron().isBlank();
        boolean every = !schedule.every().isBlank();
        if (cron == every) {
            throw new IllegalStateException(where + ": give exactly one of cron and every");
        }
        ObjectNode node = json.createObjectNode();
        node.put("id", id);
        node.put("task", task);
        if (cron) {
            check(
                    where,
                    () -> CronExpression.parse(
                            schedule.cron().strip().split("\\s+").length == 5
                                    ? "0 " + schedule.cron().strip()
                                    : schedule.cron()));
            node.put("cron", schedule.cron());
            if (!schedule.zone().isBlank()) {
                check(where, () -> ZoneId.of(schedule.zone()));
                node.put("zone", schedule.zone());
            }
        } else {
            if (!schedule.zone().isBlank()) {
                throw new IllegalStateException(where + ": zone applies to cron only");
            }
            Duration interval = duration(where, "every", schedule.every());
            if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalStateException(where + ": every must be at least 1 second, was " + interval);
            }
            node.put("every", interval.toString());
        }
        JsonNode args = read(where, "args", schedule.args());
        JsonNode kwargs = read(where, "kwargs", schedule.kwargs());
        if (!args.isArray() || !kwargs.isObject()) {
            throw new IllegalStateException(where + ": args must be a JSON array and kwargs a JSON object");
        }
        node.set("args", args);
        node.set("kwargs", kwargs);
        if (!schedule.queue().isBlank()) {
            node.put("queue", schedule.queue());
        }
        node.put("missed", oneOf(where, "missed", schedule.missed(), MISSED, "run-once"));
        node.put("overlap", oneOf(where, "overlap", schedule.overlap(), OVERLAP, "allow"));
        if (!schedule.startingDeadline().isBlank()) {
            node.put(
                    "startingDeadline",
                    duration(where, "startingDeadline", schedule.startingDeadline())
                            .toString());
        }
        return node;
    }

    private JsonNode read(String where, String attribute, String text) {
        try {
            return json.readTree(text);
        } catch (JacksonException e) {
            throw new IllegalStateException(where + ": " + attribute + " is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String oneOf(String where, String attribute, String given, Set<String> allowed, String fallback) {
        if (given.isBlank()) {
            return fallback;
        }
        if (!allowed.contains(given)) {
            throw new IllegalStateException(where + ": " + attribute + " must be one of " + allowed + ", was " + given);
        }
        return given;
    }

    private static Duration duration(String where, String attribute, String text) {
        try {
            return DurationStyle.detectAndParse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(where + ": " + attribute + " '" + text + "' is no duration (e.g. 30s)", e);
        }
    }

    private static void check(String where, Runnable parse) {
        try {
            parse.run();
        } catch (IllegalArgumentException | DateTimeException e) {
            throw new IllegalStateException(where + ": " + e.getMessage(), e);
        }
    }
}
