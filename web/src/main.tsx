/** Entry of the status board: mounts the app into `#app`. */
import { render } from 'preact';
import { App } from './components/App.js';
import './styles.css';

const root = document.getElementById('app');
if (root) render(<App />, root);
