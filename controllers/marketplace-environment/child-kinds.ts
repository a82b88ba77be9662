/** Re-export: the child kinds are pure data defined next to the charts that render them. */
export * from '../../charts/child-kinds.js';
