export { ScorerModule } from './scorer.module';
