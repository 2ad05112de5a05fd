export { ScorerModule } from './scorer.module';
export { SCORER_GROUP } from './scorer.constants';
