package dev.celeriac.archfixture.clean.b;

import dev.celeriac.archfixture.clean.a.Upstream;

/** Uses another package in one direction only. */
public class Downstream {
    Upstream upstream;
}
