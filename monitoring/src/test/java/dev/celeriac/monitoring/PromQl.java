package dev.celeriac.monitoring;

import dev.celeriac.protocol.names.MetricNames;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Celeriac metric names as Prometheus shows them, and the ones a query refers to. */
final class PromQl {

    private static final Pattern CELERIAC_SERIES = Pattern.compile("\\bceleriac_[a-z_]+\\b");
    private static final String[] SUFFIXES = {"_total", "_bucket", "_count", "_sum", "_max", "_seconds"};

    private PromQl() {}

    /** Every meter name in {@link MetricNames} (the constants whose value starts with celeriac.), in Prometheus form ({@code celeriac.tasks.completed} → underscores). */
    static Set<String> meters() {
        return Arrays.stream(MetricNames.class.getFields())
                .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == String.class)
                .map(f -> {
                    try {
                        return (String) f.get(null);
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .filter(value -> value.startsWith("celeriac."))
                .map(value -> value.replace('.', '_'))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** The Celeriac meters a query reads, with Prometheus's suffixes taken off. */
    static Set<String> metersIn(String expr) {
        var names = new TreeSet<String>();
        Matcher m = CELERIAC_SERIES.matcher(expr);
        while (m.find()) {
            String name = m.group();
            boolean stripped = true;
            while (stripped) {
                stripped = false;
                for (String suffix : SUFFIXES) {
                    if (name.endsWith(suffix)) {
                        name = name.substring(0, name.length() - suffix.length());
                        stripped = true;
                    }
                }
            }
            names.add(name);
        }
        return names;
    }
}
