/** ortug's version: part of every output's key, so outputs of another version are rebuilt. */
export const VERSION = '0.3.0'
