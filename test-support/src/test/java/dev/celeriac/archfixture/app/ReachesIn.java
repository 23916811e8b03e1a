package dev.celeriac.archfixture.app;

import dev.celeriac.archfixture.lib.internal.Hidden;

/** Reaches into another fixture module's internal package. */
public class ReachesIn {
    Hidden hidden;
}
