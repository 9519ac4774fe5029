/** Deployment stages. `dev` is the default; `prod` keeps data and logs longer and retains stateful resources. */
export const stages = ['dev', 'prod'] as const;

export type Stage = (typeof stages)[number];

export const isStage = (value: unknown): value is Stage => stages.includes(value as Stage);

/** `dev` → `Dev`, for stack names. */
export const stageLabel = (stage: Stage): string => stage.charAt(0).toUpperCase() + stage.slice(1);
