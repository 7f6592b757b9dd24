import { config } from "../config";

/** The table's settings, `config().table`, under the name the table modules import. */
export const tableConfig = config().table;
