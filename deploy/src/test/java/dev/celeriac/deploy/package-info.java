/** Checks of the Kubernetes manifests: built, validated against their schemas, and true to the code. */
package dev.celeriac.deploy;
