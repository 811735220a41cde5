/**
 * The condition language of {@code successCondition} and {@code failureCondition}: a small subset
 * of Argo Rollouts' expr syntax over {@code result}. See {@link
 * dev.ordinal.analysis.condition.Parser} for the grammar and {@link
 * dev.ordinal.analysis.condition.Condition} for the evaluation rules (NaN compares false, lists of
 * one act as numbers). No I/O, so the manifest package may depend on it.
 */
package dev.ordinal.analysis.condition;
