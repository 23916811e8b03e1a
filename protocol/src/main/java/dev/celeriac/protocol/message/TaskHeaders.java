package dev.celeriac.protocol.message;

import dev.celeriac.protocol.names.MessageHeaders;
import dev.celeriac.protocol.names.WireFormat;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The headers of a protocol v2 task message. Headers this record does not model (newer Celery versions add stamps,
 * for instance) are kept in {@link #extra()} and written back unchanged.
 *
 * @param lang language of the producer ({@code py} for Celery, {@code java} for Celeriac)
 * @param task registered task name
 * @param id task id
 * @param rootId id of the workflow's first task, or {@code null}
 * @param parentId id of the task that sent this one, or {@code null}
 * @param group id of the group this task belongs to, or {@code null}
 * @param groupIndex position in that group, or {@code null}
 * @param retries how many times the task was retried before this delivery
 * @param eta earliest start, or {@code null} to run at once
 * @param expires time after which the task must not run, or {@code null}
 * @param timeLimit soft and hard time limits
 * @param argsrepr printable positional arguments, or {@code null}
 * @param kwargsrepr printable keyword arguments, or {@code null}
 * @param origin node that sent the task, or {@code null}
 * @param ignoreResult whether no result is wanted
 * @param shadow name to log instead of the task name, or {@code null}
 * @param extra headers not modelled above, in their original order
 */
public record TaskHeaders(
        String lang,
        String task,
        String id,
        String rootId,
        String parentId,
        String group,
        Integer groupIndex,
        int retries,
        Instant eta,
        Instant expires,
        TimeLimit timeLimit,
        String argsrepr,
        String kwargsrepr,
        String origin,
        boolean ignoreResult,
        String shadow,
        Map<String, Object> extra) {

    /** Header names that this record models; any other header goes to {@link #extra()}. */
    public static final Set<String> MODELLED = Set.of(
            MessageHeaders.LANG,
            MessageHeaders.TASK,
            MessageHeaders.ID,
            MessageHeaders.ROOT_ID,
            MessageHeaders.PARENT_ID,
            MessageHeaders.GROUP,
            MessageHeaders.GROUP_INDEX,
            MessageHeaders.RETRIES,
            MessageHeaders.ETA,
            MessageHeaders.EXPIRES,
            MessageHeaders.TIMELIMIT,
            MessageHeaders.ARGSREPR,
            MessageHeaders.KWARGSREPR,
            MessageHeaders.ORIGIN,
            MessageHeaders.IGNORE_RESULT,
            MessageHeaders.SHADOW);

    public TaskHeaders {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(id, "id");
        if (retries < 0) {
            throw new IllegalArgumentException("retries must not be negative, was " + retries);
        }
        timeLimit = Objects.requireNonNullElse(timeLimit, TimeLimit.NONE);
        // Header tables may hold null values, which Map.copyOf refuses.
        extra = extra == null || extra.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    /** Longest argsrepr and kwargsrepr written, as Celery's default {@code argsrepr_maxsize}. */
    public static final int REPR_LIMIT = 1024;

    /** The printable form of arguments for {@code argsrepr} and {@code kwargsrepr}: their JSON, cut to a limit. */
    public static String repr(JsonNode node) {
        String text = node.toString();
        return text.length() <= REPR_LIMIT ? text : text.substring(0, REPR_LIMIT - 3) + "...";
    }

    /** Starts headers for a new task sent by Celeriac, with {@code root_id} equal to its id. */
    public static Builder builder(String task, String id) {
        return new Builder(task, id);
    }

    /** Returns a builder initialised with these headers. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builds {@link TaskHeaders}. */
    public static final class Builder {
        private String lang = WireFormat.LANG_JAVA;
        private final String task;
        private final String id;
        private String rootId;
        private String parentId;
        private String group;
        private Integer groupIndex;
        private int retries;
        private Instant eta;
        private Instant expires;
        private TimeLimit timeLimit = TimeLimit.NONE;
        private String argsrepr;
        private String kwargsrepr;
        private String origin;
        private boolean ignoreResult;
        private String shadow;
        private Map<String, Object> extra = Map.of();

        private Builder(String task, String id) {
            this.task = task;
            this.id = id;
            this.rootId = id;
        }

        private Builder(TaskHeaders h) {
            this(h.task, h.id);
            lang = h.lang;
            rootId = h.rootId;
            parentId = h.parentId;
            group = h.group;
            groupIndex = h.groupIndex;
            retries = h.retries;
            eta = h.eta;
            expires = h.expires;
            timeLimit = h.timeLimit;
            argsrepr = h.argsrepr;
            kwargsrepr = h.kwargsrepr;
            origin = h.origin;
            ignoreResult = h.ignoreResult;
            shadow = h.shadow;
            extra = h.extra;
        }

        public Builder lang(String value) {
            lang = value;
            return this;
        }

        public Builder rootId(String value) {
            rootId = value;
            return this;
        }

        public Builder parentId(String value) {
            parentId = value;
            return this;
        }

        public Builder group(String value, Integer index) {
            group = value;
            groupIndex = index;
            return this;
        }

        public Builder retries(int value) {
            retries = value;
            return this;
        }

        public Builder eta(Instant value) {
            eta = value;
            return this;
        }

        public Builder expires(Instant value) {
            expires = value;
            return this;
        }

        public Builder timeLimit(TimeLimit value) {
            timeLimit = value;
            return this;
        }

        public Builder argsrepr(String value) {
            argsrepr = value;
            return this;
        }

        public Builder kwargsrepr(String value) {
            kwargsrepr = value;
            return this;
        }

        public Builder origin(String value) {
            origin = value;
            return this;
        }

        public Builder ignoreResult(boolean value) {
            ignoreResult = value;
            return this;
        }

        public Builder shadow(String value) {
            shadow = value;
            return this;
        }

        public Builder extra(Map<String, Object> value) {
            extra = value;
            return this;
        }

        public TaskHeaders build() {
            return new TaskHeaders(
                    lang,
                    task,
                    id,
                    rootId,
                    parentId,
                    group,
                    groupIndex,
                    retries,
                    eta,
                    expires,
                    timeLimit,
                    argsrepr,
                    kwargsrepr,
                    origin,
                    ignoreResult,
                    shadow,
                    extra);
        }
    }
}
