package dev.celeriac.archfixture.cycle.a;

import dev.celeriac.archfixture.cycle.b.Second;

/** Half of a deliberate package cycle, for the architecture rule tests. */
public class First {
    Second second;
}
