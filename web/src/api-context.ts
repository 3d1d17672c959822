/** The current API connection, for components deep in the tree (rows' details and untrack). */
import { createContext } from 'preact';
import type { Api } from './api.js';

export const ApiContext = createContext<Api | null>(null);
