package dev.celeriac.worker.internal.dispatch;

import dev.celeriac.worker.TaskContext;
import dev.celeriac.worker.internal.retry.InvalidTaskCallException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Binds a message's {@code args} and {@code kwargs} to a task method's parameters, the way Python binds a call, and
 * invokes it. Binding errors use Python's wording, so that a Celery user recognises them.
 */
public final class TaskInvoker {

    private final JsonMapper mapper;

    public TaskInvoker(JsonMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * Binds the arguments, invokes the task and returns its result as JSON ({@code null} for a void method).
     *
     * @throws ArgumentBindingException if the arguments do not fit the parameters
     * @throws Throwable whatever the task throws
     */
    public JsonNode invoke(TaskDefinition task, ArrayNode args, ObjectNode kwargs, TaskContext context)
            throws Throwable {
        Object[] values = bind(task, args, kwargs, context);
        Object result;
        try {
            result = task.method().invoke(task.bean(), values);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        if (task.method().getReturnType() == void.class) {
            return null;
        }
        try {
            return mapper.valueToTree(result);
        } catch (JacksonException e) {
            throw new NonSerializableResultException(task.name(), e);
        }
    }

    /** The task returned a value that cannot be written as JSON. */
    public static final class NonSerializableResultException extends InvalidTaskCallException {
        NonSerializableResultException(String task, JacksonException cause) {
            super("the result of task " + task + " cannot be written as JSON: " + cause.getOriginalMessage(), cause);
        }
    }

    Object[] bind(TaskDefinition task, ArrayNode args, ObjectNode kwargs, TaskContext context) {
        Method method = task.method();
        Parameter[] parameters = method.getParameters();
        Object[] values = new Object[parameters.length];
        var bindable = new ArrayList<Integer>();
        for (int i = 0; i < parameters.length; i++) {
            if (parameters[i].getType() == TaskContext.class) {
                values[i] = context;
            } else {
                bindable.add(i);
            }
        }
        String call = task.name() + "()";

        // A single record or Map parameter and no positional arguments: the whole kwargs object binds to it.
        if (bindable.size() == 1 && args.isEmpty() && takesWholeKwargs(parameters[bindable.getFirst()])) {
            int index = bindable.getFirst();
            values[index] = convert(call, parameters[index], kwargs);
            return values;
        }

        if (args.size() > bindable.size()) {
            throw new ArgumentBindingException(call + " takes " + bindable.size() + " positional argument"
                    + (bindable.size() == 1 ? "" : "s") + " but " + args.size() + " were given");
        }
        Set<String> bound = new HashSet<>();
        for (int a = 0; a < args.size(); a++) {
            int index = bindable.get(a);
            values[index] = convert(call, parameters[index], args.get(a));
            bound.add(parameters[index].getName());
        }
        Set<String> known = new HashSet<>();
        for (int index : bindable) {
            known.add(parameters[index].getName());
        }
        for (Map.Entry<String, JsonNode> entry : kwargs.properties()) {
            if (!known.contains(entry.getKey())) {
                throw new ArgumentBindingException(
                        call + " got an unexpected keyword argument '" + entry.getKey() + "'");
            }
            if (bound.contains(entry.getKey())) {
                throw new ArgumentBindingException(call + " got multiple values for argument '" + entry.getKey() + "'");
            }
        }
        var missing = new ArrayList<String>();
        for (int b = args.size(); b < bindable.size(); b++) {
            int index = bindable.get(b);
            Parameter parameter = parameters[index];
            JsonNode value = kwargs.get(parameter.getName());
            if (value == null) {
                missing.add(parameter.getName());
            } else {
                values[index] = convert(call, parameter, value);
            }
        }
        if (!missing.isEmpty()) {
            throw new ArgumentBindingException(call + " missing " + missing.size() + " required argument"
                    + (missing.size() == 1 ? "" : "s") + ": '" + String.join("', '", missing) + "'");
        }
        return values;
    }

    private static boolean takesWholeKwargs(Parameter parameter) {
        Class<?> type = parameter.getType();
        return Map.class.isAssignableFrom(type) || type.isRecord();
    }

    private Object convert(String call, Parameter parameter, JsonNode value) {
        JavaType type = mapper.getTypeFactory().constructType(parameter.getParameterizedType());
        if (value.isNull()) {
            if (type.isPrimitive()) {
                throw new ArgumentBindingException(
                        call + " argument '" + parameter.getName() + "' must not be null (" + type.getRawClass() + ")");
            }
            return null;
        }
        try {
            return mapper.treeToValue(value, type);
        } catch (JacksonException e) {
            throw new ArgumentBindingException(
                    call + " argument '" + parameter.getName() + "' cannot be read as "
                            + type.getRawClass().getSimpleName() + ": " + e.getOriginalMessage(),
                    e);
        }
    }
}
