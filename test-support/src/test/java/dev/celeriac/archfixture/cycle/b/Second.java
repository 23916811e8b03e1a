package dev.celeriac.archfixture.cycle.b;

import dev.celeriac.archfixture.cycle.a.First;

/** Other half of a deliberate package cycle, for the architecture rule tests. */
public class Second {
    First first;
}
