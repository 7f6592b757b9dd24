import { required } from "@coach/core/config";

/** A variable this function cannot work without: the config's `required`, under its former name. */
export const requiredEnv = required;
