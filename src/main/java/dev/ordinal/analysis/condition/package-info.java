/**
 * The expression language of {@code successCondition}, {@code failureCondition} and a {@code
 * rangeQuery}'s {@code start} and {@code end}: expr-lang as Argo Rollouts users write it, with the
 * functions Argo adds ({@code asInt}, {@code asFloat}, {@code isNaN}, {@code isInf}, {@code isNil},
 * {@code default}). See {@link dev.ordinal.analysis.condition.Parser} for the grammar, {@link
 * dev.ordinal.analysis.condition.Functions} for the functions and {@link
 * dev.ordinal.analysis.condition.Evaluator} for the semantics. No I/O and no clock, so the manifest
 * package may depend on it.
 */
package dev.ordinal.analysis.condition;
