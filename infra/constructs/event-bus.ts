import { Duration } from 'aws-cdk-lib';
import { type Archive, EventBus } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../definitions/rules.js';
import { type Stage, settingsOf } from '../stage.js';

export interface ConferenceEventBusProps {
  stage: Stage;
}

/**
 * The bus every stored event is published on (CONTRACT section 3), with an archive of all of them so
 * that a lost or new consumer can be fed again by a replay.
 */
export class ConferenceEventBus extends Construct {
  readonly bus: EventBus;
  readonly archive: Archive;

  constructor(scope: Construct, id: string, props: ConferenceEventBusProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', {
      eventBusName: `${settingsOf(props.stage).namePrefix}-conference`,
      description: 'Conference domain events, one per event stored in the event store',
    });
    this.archive = this.bus.archive('Archive', {
      description: `Every ${EVENT_SOURCE} event, for replays`,
      eventPattern: { source: [EVENT_SOURCE] },
      retention: Duration.days(365),
    });
  }
}
