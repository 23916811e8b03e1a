package dev.celeriac.protocol.message;

import java.util.Locale;

/**
 * A message that is not a valid protocol v2 task message. It carries the reason, so that a worker can dead-letter the
 * message with it and an API can answer with a precise problem.
 */
public final class MalformedMessageException extends RuntimeException {

    /** Why a message was rejected. */
    public enum Reason {
        /** The body is not valid UTF-8 JSON. */
        NOT_JSON,
        /** The body is JSON but not {@code [args, kwargs, embed]} with the right types. */
        WRONG_SHAPE,
        /** A required header ({@code task}, {@code id}) is absent. */
        MISSING_HEADER,
        /** A header has the wrong type, e.g. a string where a number belongs. */
        WRONG_TYPE,
        /** A header has the right type but an impossible value, e.g. an unparsable date or a negative count. */
        INVALID_VALUE,
        /** The body is larger than the configured limit. */
        OVERSIZE,
        /** The body nests JSON deeper, or holds longer strings, than the configured limits. */
        TOO_COMPLEX,
        /** The content type is not JSON (e.g. Celery's pickle or msgpack serializers). */
        UNSUPPORTED_CONTENT_TYPE,
        /** The content encoding is not UTF-8. */
        UNSUPPORTED_ENCODING,
        /** The message is of Celery's protocol v1, with the task in the body rather than the headers. */
        UNSUPPORTED_PROTOCOL;

        /** The reason as written in dead-letter headers, e.g. {@code wrong-type}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Reason reason;

    public MalformedMessageException(Reason reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    public MalformedMessageException(Reason reason, String detail, Throwable cause) {
        super(detail, cause);
        this.reason = reason;
    }

    /** Why the message was rejected. */
    public Reason reason() {
        return reason;
    }
}
