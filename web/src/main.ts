import { createApp } from 'vue';
import App from './App.vue';
import './styles.css';
import { loadSession } from './session';
import { installLeaveGuard } from './uploads';

loadSession();
installLeaveGuard();
createApp(App).mount('#app');
