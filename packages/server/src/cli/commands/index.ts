import type { Command } from '../command.ts';
import { serverCommands } from './server.ts';
import { sessionCommands } from './sessions.ts';
import { userCommands } from './users.ts';
import { apiKeyCommands } from './api-keys.ts';
import { settingCommands } from './settings.ts';
import { policyCommands } from './policies.ts';

/** Every command, in the order `seshat --help` lists them. Add a command by adding it to its group's module. */
export const commands: Command[] = [...serverCommands, ...userCommands, ...sessionCommands, ...apiKeyCommands, ...settingCommands, ...policyCommands];
