/**
 * Dense float64 linear algebra for the classical algorithms in {@code dev.ember.ml}: Cholesky,
 * Householder QR (least squares) and the symmetric eigendecomposition (cyclic Jacobi).
 * Matrices are row-major {@code double[rows][cols]}; inputs are never modified.
 */
package dev.ember.linalg;
