import './base.css';
import './profiles.css';
