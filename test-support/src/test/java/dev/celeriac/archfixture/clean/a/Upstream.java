package dev.celeriac.archfixture.clean.a;

/** A package that others use, with no cycle. */
public class Upstream {}
