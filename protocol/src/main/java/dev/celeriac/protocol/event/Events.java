package dev.celeriac.protocol.event;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

final class Events {

    private Events() {}

    /** Copies extra fields, which may hold JSON nulls and so cannot go through {@code Map.copyOf}. */
    static Map<String, Object> copy(Map<String, Object> extra) {
        return extra == null || extra.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }
}
