package dev.celeriac.api.internal.schedule;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Optional;

/**
 * What becomes of the slots of a schedule that passed while no scheduler could fire them (every API stopped, the
 * database away): a slot is <em>late</em> when it is found more than the scheduler's {@code late-after} past its
 * time, and a slot past the schedule's starting deadline is never fired.
 */
public enum MissedPolicy {
    /** Late slots are skipped; the next slot fires on time. */
    SKIP("skip"),
    /** Of the slots due at once, only the latest fires (Kubernetes' and Quartz's usual choice). The default. */
    RUN_ONCE("run-once"),
    /** Every slot due fires, late or not, oldest first. */
    RUN_EACH("run-each");

    private final String wire;

    MissedPolicy(String wire) {
        this.wire = wire;
    }

    /** The name in requests, views and configuration. */
    @JsonValue
    public String wire() {
        return wire;
    }

    /** The policy of a wire name, if it names one. */
    public static Optional<MissedPolicy> of(String wire) {
        return Arrays.stream(values()).filter(p -> p.wire.equals(wire)).findFirst();
    }
}
