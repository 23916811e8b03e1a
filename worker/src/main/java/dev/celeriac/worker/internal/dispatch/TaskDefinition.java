package dev.celeriac.worker.internal.dispatch;

import dev.celeriac.protocol.control.RateLimit;
import dev.celeriac.protocol.message.TimeLimit;
import dev.celeriac.worker.internal.retry.RetryPolicy;
import java.lang.reflect.Method;

/**
 * A registered task: its name, the bean method that runs it, and its policies.
 *
 * @param name task name
 * @param bean the bean
 * @param method the method to invoke
 * @param retryPolicy retry policy
 * @param timeLimit soft and hard limits (a message's own {@code timelimit} header overrides them)
 * @param rateLimit how often one worker starts it (configuration and Celery's {@code rate_limit} override it)
 * @param globalRateLimit how often the fleet starts it (configuration overrides it)
 */
public record TaskDefinition(
        String name,
        Object bean,
        Method method,
        RetryPolicy retryPolicy,
        TimeLimit timeLimit,
        RateLimit rateLimit,
        RateLimit globalRateLimit) {}
