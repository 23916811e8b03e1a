package dev.celeriac.worker.internal.dispatch;

import dev.celeriac.protocol.control.RateLimit;
import dev.celeriac.protocol.message.TimeLimit;
import dev.celeriac.protocol.names.NameRules;
import dev.celeriac.worker.CeleriacTask;
import dev.celeriac.worker.internal.retry.RetryPolicy;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * The tasks this worker can run: every {@link CeleriacTask} method of the application's beans, found as the beans are
 * created. A duplicate or invalid task name stops the application at start-up.
 */
public final class TaskRegistry implements BeanPostProcessor {

    private final Map<String, TaskDefinition> tasks = new ConcurrentHashMap<>();

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        Class<?> type = AopUtils.getTargetClass(bean);
        Map<Method, CeleriacTask> methods =
                MethodIntrospector.selectMethods(type, (MethodIntrospector.MetadataLookup<CeleriacTask>)
                        method -> AnnotatedElementUtils.findMergedAnnotation(method, CeleriacTask.class));
        methods.forEach((method, annotation) -> register(bean, beanName, method, annotation));
        return bean;
    }

    private void register(Object bean, String beanName, Method method, CeleriacTask annotation) {
        String where = beanName + "." + method.getName();
        String problem = NameRules.problem("task name", annotation.name());
        if (problem != null) {
            throw new IllegalStateException("@CeleriacTask on " + where + ": " + problem);
        }
        if (!Modifier.isPublic(method.getModifiers())) {
            throw new IllegalStateException("@CeleriacTask method " + where + " must be public");
        }
        Method invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
        var definition = new TaskDefinition(
                annotation.name(),
                bean,
                invocable,
                new RetryPolicy(
                        annotation.maxRetries(),
                        duration(where, "backoff", annotation.backoff()),
                        duration(where, "maxBackoff", annotation.maxBackoff()),
                        List.of(annotation.retryOn()),
                        List.of(annotation.noRetryOn())),
                new TimeLimit(
                        optionalDuration(where, "softTimeLimit", annotation.softTimeLimit()),
                        optionalDuration(where, "timeLimit", annotation.timeLimit())),
                rateLimit(where, "rateLimit", annotation.rateLimit()),
                rateLimit(where, "globalRateLimit", annotation.globalRateLimit()));
        TaskDefinition previous = tasks.putIfAbsent(definition.name(), definition);
        if (previous != null) {
            throw new IllegalStateException("task '" + definition.name() + "' is defined twice: by " + where
                    + " and by " + previous.method().getDeclaringClass().getSimpleName() + "."
                    + previous.method().getName());
        }
    }

    private static Duration duration(String where, String attribute, String text) {
        try {
            return DurationStyle.detectAndParse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(
                    "@CeleriacTask on " + where + ": " + attribute + " '" + text + "' is no duration (e.g. 30s)", e);
        }
    }

    private static RateLimit rateLimit(String where, String attribute, String text) {
        try {
            return RateLimit.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("@CeleriacTask on " + where + ": " + attribute + " " + e.getMessage(), e);
        }
    }

    private static Duration optionalDuration(String where, String attribute, String text) {
        return text.isBlank() ? null : duration(where, attribute, text);
    }

    /**
     * Gives a task new time limits from now on (Celery's {@code time_limit} command); a message's own
     * {@code timelimit} header still wins.
     *
     * @return false if there is no such task
     */
    public boolean timeLimit(String name, TimeLimit limit) {
        return tasks.computeIfPresent(
                        name,
                        (key, task) -> new TaskDefinition(
                                task.name(),
                                task.bean(),
                                task.method(),
                                task.retryPolicy(),
                                limit,
                                task.rateLimit(),
                                task.globalRateLimit()))
                != null;
    }

    /** The task of the given name, or {@code null} if this worker has none. */
    public TaskDefinition find(String name) {
        return tasks.get(name);
    }

    /** Every registered task, by name. */
    public Map<String, TaskDefinition> all() {
        return Collections.unmodifiableMap(new TreeMap<>(tasks));
    }
}
