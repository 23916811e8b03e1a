package dev.celeriac.protocol.result;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * An exception as Celery's JSON result serializer writes it:
 * {@code {"exc_type": "ValueError", "exc_message": ["boom"], "exc_module": "builtins"}}. A Celery client raises an
 * exception of that type name with those arguments; a type its Python process does not know is created on the fly
 * under that name, so {@code type(e).__name__} and {@code str(e)} still read as the worker wrote them.
 *
 * @param type the exception's type name (Python's {@code __qualname__}; a Java class's simple name)
 * @param module the module (a Java package) the type lives in
 * @param arguments the exception's arguments; a single message for most exceptions
 */
public record ExceptionInfo(String type, String module, List<Object> arguments) {

    static final String EXC_TYPE = "exc_type";
    static final String EXC_MESSAGE = "exc_message";
    static final String EXC_MODULE = "exc_module";

    /** Celery's exceptions module, whose types every Celery client can import. */
    public static final String CELERY_EXCEPTIONS = "celery.exceptions";
    /** Python's built-in exceptions module. */
    public static final String PYTHON_BUILTINS = "builtins";

    public ExceptionInfo {
        if (type == null || type.isBlank()) {
            throw new IllegalArgumentException("an exception has a type name");
        }
        arguments = arguments == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(arguments));
    }

    /** An exception with one message argument, or none when the message is {@code null}. */
    public static ExceptionInfo of(String type, String module, String message) {
        return new ExceptionInfo(type, module, message == null ? List.of() : List.of(message));
    }

    /**
     * A Java exception as a Celery client sees it: its simple class name (nested classes as {@code Outer.Inner}, like
     * Python's qualified names), its package as the module, and its message as the only argument.
     */
    public static ExceptionInfo of(Throwable failure) {
        Class<?> type = failure.getClass();
        var names = new ArrayList<String>();
        for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
            if (c.getSimpleName().isEmpty()) { // anonymous: its binary name already names its enclosing classes
                names.addFirst(c.getName().substring(c.getName().lastIndexOf('.') + 1));
                break;
            }
            names.addFirst(c.getSimpleName());
        }
        return of(String.join(".", names), type.getPackageName(), failure.getMessage());
    }

    /** The message: the first argument as text, or an empty string. */
    public String message() {
        return arguments.isEmpty() ? "" : String.valueOf(arguments.getFirst());
    }

    JsonNode toJson(JsonMapper mapper) {
        ObjectNode node = mapper.createObjectNode();
        node.put(EXC_TYPE, type);
        node.set(EXC_MESSAGE, mapper.valueToTree(arguments));
        node.put(EXC_MODULE, module);
        return node;
    }

    static ExceptionInfo fromJson(JsonMapper mapper, JsonNode node) {
        JsonNode message = node.path(EXC_MESSAGE);
        List<Object> arguments = new ArrayList<>();
        if (message.isArray()) {
            message.values().forEach(v -> arguments.add(mapper.treeToValue(v, Object.class)));
        } else if (!message.isMissingNode() && !message.isNull()) {
            arguments.add(mapper.treeToValue(message, Object.class));
        }
        JsonNode module = node.path(EXC_MODULE);
        return new ExceptionInfo(
                node.path(EXC_TYPE).asString(), module.isString() ? module.stringValue() : null, arguments);
    }
}
