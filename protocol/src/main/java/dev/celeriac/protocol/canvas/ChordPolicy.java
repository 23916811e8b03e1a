package dev.celeriac.protocol.canvas;

import java.util.Arrays;
import java.util.Locale;

/** What a chord does when one of its header tasks fails (or is revoked). */
public enum ChordPolicy {
    /**
     * The first failure ends the chord: its body never runs, it is recorded FAILURE naming the header task that
     * failed, and the body's error callbacks run with its id. Celery's behaviour.
     */
    FAIL_FAST,
    /**
     * The body waits for every header task and runs once all have finished, given their results in order; a failed
     * one's place holds {@code {"failed": "<task id>", "state": "FAILURE", "error": "<type>: <message>"}}.
     */
    ALL;

    /** E.g. {@code fail-fast}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The policy of a wire name. */
    public static ChordPolicy fromWireName(String name) {
        return Arrays.stream(values())
                .filter(p -> p.wireName().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no chord policy '" + name + "' (fail-fast or all)"));
    }
}
