package dev.celeriac.bench.report;

/**
 * One measured figure.
 *
 * @param scenario the scenario that measured it
 * @param name what it is, e.g. {@code tasks/s (state recorded)}
 * @param value the figure
 * @param unit its unit, e.g. {@code tasks/s}, {@code ms}, {@code MiB}
 * @param target the target it is held against, as text (e.g. {@code ≥ 0.35 × baseline}), or null
 * @param met whether the target is met, or null when there is none
 * @param note how it was measured, or null
 */
public record Figure(String scenario, String name, double value, String unit, String target, Boolean met, String note) {

    public static Figure of(String scenario, String name, double value, String unit) {
        return new Figure(scenario, name, value, unit, null, null, null);
    }

    public Figure against(String targetText, boolean isMet) {
        return new Figure(scenario, name, value, unit, targetText, isMet, note);
    }

    public Figure noting(String text) {
        return new Figure(scenario, name, value, unit, target, met, text);
    }
}
