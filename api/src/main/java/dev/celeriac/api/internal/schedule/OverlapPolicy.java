package dev.celeriac.api.internal.schedule;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Optional;

/** What a slot does when the task its schedule fired last has not finished yet. */
public enum OverlapPolicy {
    /** It fires anyway: runs may overlap. The default. */
    ALLOW("allow"),
    /** It is skipped, and recorded as skipped. */
    SKIP("skip"),
    /** The unfinished run is revoked and terminated, then the slot fires. */
    REPLACE("replace");

    private final String wire;

    OverlapPolicy(String wire) {
        this.wire = wire;
    }

    /** The name in requests, views and configuration. */
    @JsonValue
    public String wire() {
        return wire;
    }

    /** The policy of a wire name, if it names one. */
    public static Optional<OverlapPolicy> of(String wire) {
        return Arrays.stream(values()).filter(p -> p.wire.equals(wire)).findFirst();
    }
}
