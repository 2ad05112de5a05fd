import 'reflect-metadata';
import { bootstrapApp } from '@vigil/infra';
import { ScorerModule } from './scorer.module';

void bootstrapApp({ name: 'scorer', module: (s) => ScorerModule.forRoot(s), port: (s) => s.scorerPort });
