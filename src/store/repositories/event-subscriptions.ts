import type { Kysely, Selectable } from "kysely";
import type { EventDeliverySchema, EventSubscription } from "../../domain/resources.js";
import type { Database, EventSubscriptionsTable } from "../schema.js";
import type { EventSubscriptionRepository } from "../store.js";
import { write } from "./write.js";

function toSubscription(row: Selectable<EventSubscriptionsTable>): EventSubscription {
  return {
    id: row.id,
    integrationId: row.integration_id,
    environmentId: row.environment_id,
    description: row.description,
    deliverySchema: row.delivery_schema as EventDeliverySchema,
    tokenHash: row.token_hash,
    createdAt: row.created_at,
    lastEventAt: row.last_event_at,
  };
}

export function eventSubscriptionRepository(db: Kysely<Database>): EventSubscriptionRepository {
  return {
    async insert(subscription) {
      await write(() => db.insertInto("event_subscriptions").values({
        id: subscription.id,
        integration_id: subscription.integrationId,
        environment_id: subscription.environmentId,
        description: subscription.description,
        delivery_schema: subscription.deliverySchema,
        token_hash: subscription.tokenHash,
        created_at: subscription.createdAt,
        last_event_at: subscription.lastEventAt,
      }).execute());
    },

    async get(id) {
      const row = await db.selectFrom("event_subscriptions").selectAll().where("id", "=", id).executeTakeFirst();
      return row === undefined ? undefined : toSubscription(row);
    },

    async listByIntegration(integrationId) {
      const rows = await db.selectFrom("event_subscriptions").selectAll().where("integration_id", "=", integrationId).orderBy("created_at").orderBy("id").execute();
      return rows.map(toSubscription);
    },

    async touch(id, lastEventAt) {
      await write(() => db.updateTable("event_subscriptions").set({ last_event_at: lastEventAt }).where("id", "=", id).execute());
    },

    async delete(id) {
      const result = await write(() => db.deleteFrom("event_subscriptions").where("id", "=", id).executeTakeFirst());
      return result.numDeletedRows > 0n;
    },
  };
}
