import { createApp } from 'vue';
import App from './App.vue';
import './styles.css';
import { loadSession } from './session';

loadSession();
createApp(App).mount('#app');
